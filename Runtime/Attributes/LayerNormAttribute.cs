namespace ModelGen;

/// <summary>
/// Layer normalization over the D features of one example: μ = (1/D) Σ x_d, σ² = (1/D) Σ (x_d − μ)²,
/// y = gain ⊙ (x − μ)/sqrt(σ² + ε) + bias, with a learned gain (initialized to 1) and bias (0) per feature
/// (PyTorch <c>LayerNorm(normalized_shape = example shape)</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormAttribute : Attribute
{
    /// <summary>ε, added to the variance for stability. Default 1e-5 (PyTorch).</summary>
    public double Epsilon { get; set; } = 1e-5;
}
