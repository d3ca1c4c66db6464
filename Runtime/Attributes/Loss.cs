namespace ModelGen;

/// <summary>The loss a model is trained with.</summary>
public enum Loss
{
    /// <summary>
    /// Mean of the squared errors over every output element of the mini-batch (PyTorch <c>MSELoss()</c>,
    /// Keras <c>mean_squared_error</c>): <c>L = (1/(m·n)) Σ (ŷ − y)²</c>.
    /// </summary>
    MeanSquaredError,

    /// <summary>
    /// Softmax over the last layer's outputs followed by cross-entropy <c>−Σ y ln a</c>, averaged over the
    /// mini-batch (PyTorch <c>CrossEntropyLoss</c> with probability targets). The gradient with respect to
    /// the logits is the exact and stable <c>(a − y)/m</c>. <c>Forward</c> returns the probabilities.
    /// </summary>
    SoftmaxCrossEntropy,
}
