namespace ModelGen;

/// <summary>An elementwise (or, for <see cref="Softmax"/>, per-example) activation function.</summary>
public enum Activation
{
    /// <summary>Linear: <c>g(z) = z</c>.</summary>
    Identity,

    /// <summary>Logistic sigmoid <c>1 / (1 + e^−z)</c>.</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Rectified linear unit <c>max(0, z)</c>.</summary>
    ReLU,

    /// <summary>
    /// Softmax over the layer's outputs. Allowed only on the last layer of a model trained with
    /// <see cref="Loss.SoftmaxCrossEntropy"/>, where it is fused with the loss.
    /// </summary>
    Softmax,
}
