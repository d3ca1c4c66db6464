using System.Numerics;

namespace ModelGen.Optimizers;

/// <summary>
/// RMSProp (Hinton, 2012). With rate ε, decay ρ, stability constant eps, mean square s (zero at the start)
/// and gradient g, element-wise:
/// <c>s ← ρ·s + (1 − ρ)·g²</c>, <c>θ ← θ − ε·g / (√s + eps)</c>.
/// </summary>
/// <remarks>
/// eps is added <i>outside</i> the square root, as in PyTorch's <c>RMSprop(lr, alpha=ρ, eps)</c>
/// (no momentum, not centered), which this matches exactly. Keras' <c>RMSprop</c> adds it inside
/// (<c>√(s + eps)</c>), so results differ slightly while s is of the order of eps. The defaults
/// (ε = 0.001, ρ = 0.9, eps = 1e-7) are Keras'; PyTorch's are lr = 0.01, alpha = 0.99, eps = 1e-8. A term whose
/// product would be a subnormal float (below 1.2e-38) is dropped, so that s decays to exactly zero instead of
/// slowing every later step down; no parameter changes by it.
/// </remarks>
public sealed class RmsProp : Optimizer
{
    private float[] _meanSquare = [];

    /// <summary>Creates RMSProp.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate or eps is not finite and &gt; 0, or ρ is not in [0, 1).</exception>
    public RmsProp(float learningRate = 0.001f, float rho = 0.9f, float epsilon = 1e-7f)
        : base(learningRate)
    {
        Rho = RequireUnitInterval(rho, nameof(rho));
        Epsilon = RequirePositive(epsilon, nameof(epsilon));
    }

    /// <summary>Decay ρ of the running mean of g², in [0, 1).</summary>
    public float Rho { get; }

    /// <summary>Stability constant eps added to √s; &gt; 0.</summary>
    public float Epsilon { get; }

    /// <summary>The running mean squares s (empty before the first step); for tests.</summary>
    internal ReadOnlySpan<float> MeanSquare => _meanSquare;

    /// <inheritdoc/>
    protected override void Initialize(int parameterCount) => _meanSquare = ZeroedBuffer(_meanSquare, parameterCount);

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        Span<float> s = _meanSquare;
        float rho = Rho, oneMinusRho = 1 - Rho, eps = Epsilon;

        // Terms whose product would be subnormal are dropped first (see Subnormals): a mean square decaying
        // towards zero (a parameter whose gradient stays zero) would otherwise slow every step down many times over.
        float keepS = Subnormals.Threshold(rho), keepG2 = Subnormals.SquareThreshold(oneMinusRho);
        float keepG = Subnormals.Threshold(learningRate);
        int i = 0;

        if (Vector.IsHardwareAccelerated)
        {
            var vRho = new Vector<float>(rho);
            var vOneMinusRho = new Vector<float>(oneMinusRho);
            var vEps = new Vector<float>(eps);
            var vRate = new Vector<float>(learningRate);
            var vKeepS = new Vector<float>(keepS);
            var vKeepG2 = new Vector<float>(keepG2);
            var vKeepG = new Vector<float>(keepG);
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradients.Slice(i));
                var g2 = Subnormals.Flush(g, vKeepG2);
                var si = vRho * Subnormals.Flush(new Vector<float>(s.Slice(i)), vKeepS) + vOneMinusRho * (g2 * g2);
                si.CopyTo(s.Slice(i));
                var theta = new Vector<float>(parameters.Slice(i)) - vRate * Subnormals.Flush(g, vKeepG) / (Vector.SquareRoot(si) + vEps);
                theta.CopyTo(parameters.Slice(i));
            }
        }

        for (; i < parameters.Length; i++)
        {
            float g = gradients[i], g2 = Subnormals.Flush(g, keepG2);
            float si = rho * Subnormals.Flush(s[i], keepS) + oneMinusRho * (g2 * g2);
            s[i] = si;
            parameters[i] -= learningRate * Subnormals.Flush(g, keepG) / (MathF.Sqrt(si) + eps);
        }
    }
}
