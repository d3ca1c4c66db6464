using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015), exactly as PyTorch's <c>Adam(lr, betas=(β1, β2), eps)</c> (amsgrad off).
/// At step t = 1, 2, … with rate ε, first and second moments m, v (zero at the start) and gradient g,
/// element-wise:
/// <c>m ← β1·m + (1 − β1)·g</c>, <c>v ← β2·v + (1 − β2)·g²</c>,
/// <c>m̂ = m / (1 − β1ᵗ)</c>, <c>v̂ = v / (1 − β2ᵗ)</c>, <c>θ ← θ − ε·m̂ / (√v̂ + eps)</c>.
/// </summary>
/// <remarks>
/// eps is added to the bias-corrected <c>√v̂</c>, as in PyTorch and Algorithm 1 of the paper. Keras' <c>Adam</c>
/// instead uses <c>ε·√(1 − β2ᵗ)/(1 − β1ᵗ)·m / (√v + eps)</c> ("epsilon hat", default 1e-7), which differs
/// while v is tiny. Weight decay through <see cref="Optimizer.WeightDecay"/> is PyTorch's coupled
/// <c>Adam(weight_decay=α)</c>, not <c>AdamW</c>. The bias corrections are computed in double precision. A term
/// whose product would be a subnormal float (below 1.2e-38) is dropped, so that a moment decays to exactly zero
/// instead of slowing every later step down; a parameter changes by it by about 2.4e-38/eps at most (2.4e-30 at the
/// default eps), which float cannot resolve on any parameter larger than about 1e-23.
/// </remarks>
public sealed class Adam : Optimizer
{
    private float[] _m = [];
    private float[] _v = [];

    /// <summary>Creates Adam.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate or eps is not finite and &gt; 0, or a β is not in [0, 1).</exception>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
        : base(learningRate)
    {
        Beta1 = RequireUnitInterval(beta1, nameof(beta1));
        Beta2 = RequireUnitInterval(beta2, nameof(beta2));
        Epsilon = RequirePositive(epsilon, nameof(epsilon));
    }

    /// <summary>Decay β1 of the first-moment (mean) estimate, in [0, 1).</summary>
    public float Beta1 { get; }

    /// <summary>Decay β2 of the second-moment (uncentered variance) estimate, in [0, 1).</summary>
    public float Beta2 { get; }

    /// <summary>Stability constant eps added to √v̂; &gt; 0.</summary>
    public float Epsilon { get; }

    /// <summary>The first-moment estimates m (empty before the first step); for tests.</summary>
    internal ReadOnlySpan<float> FirstMoment => _m;

    /// <summary>The second-moment estimates v (empty before the first step); for tests.</summary>
    internal ReadOnlySpan<float> SecondMoment => _v;

    /// <inheritdoc/>
    protected override void Initialize(int parameterCount)
    {
        _m = ZeroedBuffer(_m, parameterCount);
        _v = ZeroedBuffer(_v, parameterCount);
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        long t = Iterations + 1;
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        float oneMinusB1 = 1 - b1, oneMinusB2 = 1 - b2;

        // θ ← θ − ε·m̂/(√v̂ + eps) computed as θ − (ε/c1)·m/(√v·(1/√c2) + eps), c = 1 − βᵗ (as PyTorch does).
        float stepSize = (float)(learningRate / (1 - Math.Pow(b1, t)));
        float inverseSqrtC2 = (float)(1 / Math.Sqrt(1 - Math.Pow(b2, t)));

        // Terms whose product would be subnormal are dropped first (see Subnormals): a moment decaying towards
        // zero (a parameter whose gradient stays zero) would otherwise slow every step down many times over.
        float keepM = Subnormals.Threshold(b1), keepV = Subnormals.Threshold(b2);
        float keepG = Subnormals.Threshold(oneMinusB1), keepG2 = Subnormals.SquareThreshold(oneMinusB2);
        float keepStep = Subnormals.Threshold(stepSize);

        Span<float> m = _m, v = _v;
        int i = 0;

        // One pass over θ, g, m, v at the widest vector width (the same operations in the same order at every
        // width and in the scalar tail, no fused multiply-add: results do not depend on the machine).
        if (Vector512.IsHardwareAccelerated)
        {
            var vB1 = Vector512.Create(b1);
            var vB2 = Vector512.Create(b2);
            var vOneMinusB1 = Vector512.Create(oneMinusB1);
            var vOneMinusB2 = Vector512.Create(oneMinusB2);
            var vEps = Vector512.Create(eps);
            var vStep = Vector512.Create(stepSize);
            var vInvSqrtC2 = Vector512.Create(inverseSqrtC2);
            var vKeepM = Vector512.Create(keepM);
            var vKeepV = Vector512.Create(keepV);
            var vKeepG = Vector512.Create(keepG);
            var vKeepG2 = Vector512.Create(keepG2);
            var vKeepStep = Vector512.Create(keepStep);
            ref float rp = ref MemoryMarshal.GetReference(parameters);
            ref float rg = ref MemoryMarshal.GetReference(gradients);
            ref float rm = ref MemoryMarshal.GetReference(m);
            ref float rv = ref MemoryMarshal.GetReference(v);
            for (; i <= parameters.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                nuint at = (nuint)i;
                var g = Vector512.LoadUnsafe(ref rg, at);
                var g2 = Subnormals.Flush(g, vKeepG2);
                var mi = vB1 * Subnormals.Flush(Vector512.LoadUnsafe(ref rm, at), vKeepM) + vOneMinusB1 * Subnormals.Flush(g, vKeepG);
                var vi = vB2 * Subnormals.Flush(Vector512.LoadUnsafe(ref rv, at), vKeepV) + vOneMinusB2 * (g2 * g2);
                mi.StoreUnsafe(ref rm, at);
                vi.StoreUnsafe(ref rv, at);
                var step = vStep * Subnormals.Flush(mi, vKeepStep) / (Vector512.Sqrt(vi) * vInvSqrtC2 + vEps);
                (Vector512.LoadUnsafe(ref rp, at) - step).StoreUnsafe(ref rp, at);
            }
        }
        else if (Vector.IsHardwareAccelerated)
        {
            var vB1 = new Vector<float>(b1);
            var vB2 = new Vector<float>(b2);
            var vOneMinusB1 = new Vector<float>(oneMinusB1);
            var vOneMinusB2 = new Vector<float>(oneMinusB2);
            var vEps = new Vector<float>(eps);
            var vStep = new Vector<float>(stepSize);
            var vInvSqrtC2 = new Vector<float>(inverseSqrtC2);
            var vKeepM = new Vector<float>(keepM);
            var vKeepV = new Vector<float>(keepV);
            var vKeepG = new Vector<float>(keepG);
            var vKeepG2 = new Vector<float>(keepG2);
            var vKeepStep = new Vector<float>(keepStep);
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradients.Slice(i));
                var g2 = Subnormals.Flush(g, vKeepG2);
                var mi = vB1 * Subnormals.Flush(new Vector<float>(m.Slice(i)), vKeepM) + vOneMinusB1 * Subnormals.Flush(g, vKeepG);
                var vi = vB2 * Subnormals.Flush(new Vector<float>(v.Slice(i)), vKeepV) + vOneMinusB2 * (g2 * g2);
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                var step = vStep * Subnormals.Flush(mi, vKeepStep) / (Vector.SquareRoot(vi) * vInvSqrtC2 + vEps);
                var theta = new Vector<float>(parameters.Slice(i)) - step;
                theta.CopyTo(parameters.Slice(i));
            }
        }

        for (; i < parameters.Length; i++)
        {
            float g = gradients[i], g2 = Subnormals.Flush(g, keepG2);
            float mi = b1 * Subnormals.Flush(m[i], keepM) + oneMinusB1 * Subnormals.Flush(g, keepG);
            float vi = b2 * Subnormals.Flush(v[i], keepV) + oneMinusB2 * (g2 * g2);
            m[i] = mi;
            v[i] = vi;
            parameters[i] -= stepSize * Subnormals.Flush(mi, keepStep) / (MathF.Sqrt(vi) * inverseSqrtC2 + eps);
        }
    }
}
