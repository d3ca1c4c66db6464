namespace ModelGen;

/// <summary>
/// Marks a <c>partial class</c> as a ModelGen model. The layer attributes on the same declaration,
/// in source order, describe the layer stack; the generator emits the forward pass, the backward
/// pass and the training step for it at build time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>The training loss. Defaults to mean-squared error.</summary>
    public Loss Loss { get; set; } = Loss.MeanSquaredError;

    /// <summary>The largest mini-batch the model accepts; all buffers are sized for it once, at construction.</summary>
    public int MaxBatchSize { get; set; } = 32;
}
