namespace ModelGen.Generator.Model
{
    // Mirrors of the runtime enums (ModelGen.Loss, ModelGen.Activation). The generator cannot reference
    // the runtime assembly, so the numeric values must stay in step with Runtime/Attributes.
    internal enum LossKind
    {
        MeanSquaredError = 0,
        SoftmaxCrossEntropy = 1,
    }

    internal enum ActivationKind
    {
        Identity = 0,
        Sigmoid = 1,
        Tanh = 2,
        ReLU = 3,
        Softmax = 4,
    }
}
