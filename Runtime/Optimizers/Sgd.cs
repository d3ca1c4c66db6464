using System.Numerics;
using ModelGen.Kernels;

namespace ModelGen.Optimizers;

/// <summary>
/// Stochastic gradient descent, optionally with (Nesterov) momentum. With rate ε, momentum α, velocity v
/// (zero at the start) and gradient g:
/// <list type="bullet">
/// <item><description>plain (α = 0): <c>θ ← θ − ε·g</c>;</description></item>
/// <item><description>momentum: <c>v ← α·v − ε·g</c>, <c>θ ← θ + v</c>;</description></item>
/// <item><description>Nesterov: <c>v ← α·v − ε·g</c>, <c>θ ← θ + α·v − ε·g</c> (with the new v).</description></item>
/// </list>
/// </summary>
/// <remarks>
/// This is the velocity form of Goodfellow et al. (<i>Deep Learning</i>, alg. 8.2) and Sutskever et al. (2013),
/// and exactly Keras' <c>SGD(learning_rate, momentum, nesterov)</c>. PyTorch's <c>SGD</c> keeps
/// <c>b ← α·b + g</c> and steps <c>θ ← θ − ε·b</c> (Nesterov: <c>θ ← θ − ε·(g + α·b)</c>); since <c>v = −ε·b</c>
/// the two agree step for step while ε is constant (and with <c>dampening=0</c>), and differ only in how a
/// changing ε acts on past velocity. A term whose product would be a subnormal float (below 1.2e-38) is dropped,
/// so that a velocity decays to exactly zero instead of slowing every later step down; no parameter changes by it.
/// </remarks>
public sealed class Sgd : Optimizer
{
    private float[]? _velocity;

    /// <summary>Creates SGD with rate <paramref name="learningRate"/>, momentum α in [0, 1) and optional Nesterov.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not finite and &gt; 0, or α is not in [0, 1).</exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> is set with zero momentum.</exception>
    public Sgd(float learningRate, float momentum = 0, bool nesterov = false)
        : base(learningRate)
    {
        Momentum = RequireUnitInterval(momentum, nameof(momentum));
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum requires momentum > 0.", nameof(nesterov));
        }

        Nesterov = nesterov;
    }

    /// <summary>Momentum coefficient α in [0, 1); 0 is plain SGD.</summary>
    public float Momentum { get; }

    /// <summary>Whether the Nesterov (look-ahead) form is used.</summary>
    public bool Nesterov { get; }

    /// <summary>The velocities v (empty without momentum or before the first step); for tests.</summary>
    internal ReadOnlySpan<float> Velocity => _velocity;

    /// <inheritdoc/>
    protected override void Initialize(int parameterCount)
    {
        if (Momentum != 0)
        {
            _velocity = ZeroedBuffer(_velocity, parameterCount);
        }
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (_velocity is null)
        {
            // θ ← θ − ε·g
            Elementwise.MultiplyAdd(gradients, -learningRate, parameters, parameters);
            return;
        }

        // v ← α·v − ε·g, then θ ← θ + v (Nesterov: θ ← θ + α·v − ε·g), in one pass. Terms whose product would be
        // subnormal are dropped first (see Subnormals): a velocity decaying towards zero would otherwise slow
        // every step down many times over.
        Span<float> v = _velocity;
        float alpha = Momentum, rate = learningRate;
        float keepV = Subnormals.Threshold(alpha), keepG = Subnormals.Threshold(rate);
        bool nesterov = Nesterov;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vAlpha = new Vector<float>(alpha);
            var vRate = new Vector<float>(rate);
            var vKeepV = new Vector<float>(keepV);
            var vKeepG = new Vector<float>(keepG);
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var step = vRate * Subnormals.Flush(new Vector<float>(gradients.Slice(i)), vKeepG);
                var vi = (vAlpha * Subnormals.Flush(new Vector<float>(v.Slice(i)), vKeepV)) - step;
                vi.CopyTo(v.Slice(i));
                var delta = nesterov ? (vAlpha * Subnormals.Flush(vi, vKeepV)) - step : vi;
                (new Vector<float>(parameters.Slice(i)) + delta).CopyTo(parameters.Slice(i));
            }
        }

        for (; i < parameters.Length; i++)
        {
            float step = rate * Subnormals.Flush(gradients[i], keepG);
            float vi = (alpha * Subnormals.Flush(v[i], keepV)) - step;
            v[i] = vi;
            parameters[i] += nesterov ? (alpha * Subnormals.Flush(vi, keepV)) - step : vi;
        }
    }
}
