using System.Numerics;
using System.Numerics.Tensors;
using ModelGen.Kernels;

namespace ModelGen.Optimizers;

/// <summary>
/// Base class of the optimizers. A model keeps all of its parameters in one contiguous <c>float[]</c> and
/// the gradients in a twin array; training calls <see cref="Step"/> once per mini-batch with both.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Step"/> first turns the loss gradient <c>g</c> into the gradient of the regularized loss and
/// clips it, then hands it to the concrete rule (<see cref="Update"/>). In this order:
/// </para>
/// <list type="number">
/// <item><description>L2 penalty <c>(α/2)‖θ‖²</c> (<see cref="WeightDecay"/> = α): <c>g ← g + α·θ</c>. This is
/// coupled L2 regularization, the <c>weight_decay</c> argument of PyTorch's <c>SGD</c>/<c>RMSprop</c>/<c>Adam</c>
/// and Keras' <c>kernel_regularizer=l2(α/2)</c>; it is not AdamW's decoupled decay.</description></item>
/// <item><description>L1 penalty <c>α Σ|θ|</c> (<see cref="L1"/> = α): <c>g ← g + α·sign(θ)</c>, with
/// <c>sign(0) = 0</c> (the subgradient PyTorch's <c>torch.sign</c> gives).</description></item>
/// <item><description>Clip by value (<see cref="ClipValue"/> = v): <c>g ← clamp(g, −v, v)</c> per element
/// (Keras <c>clipvalue</c>, PyTorch <c>clip_grad_value_</c>).</description></item>
/// <item><description>Clip by global norm (<see cref="ClipNorm"/> = c): if <c>‖g‖₂ &gt; c</c> then
/// <c>g ← g·c/‖g‖₂</c>, the norm taken over the whole parameter vector (Keras <c>global_clipnorm</c>; PyTorch
/// <c>clip_grad_norm_</c> without its 1e-6 in the denominator).</description></item>
/// </list>
/// <para>
/// The penalties are part of the loss, so clipping acts on the full gradient. The penalties and the
/// clipping are written into the <c>gradients</c> span in place: after <see cref="Step"/> it holds the
/// gradient the rule was actually applied with.
/// </para>
/// <para>
/// The rate used by a step is <see cref="CurrentLearningRate"/>: <see cref="LearningRate"/>, passed through
/// <see cref="Schedule"/> (if any) with the number of steps already taken (<see cref="Iterations"/>).
/// State buffers are allocated once, at the first step (<see cref="Initialize"/>); later steps allocate
/// nothing. An optimizer is bound to one parameter count and is not thread-safe.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    private float _learningRate;
    private float _weightDecay;
    private float _l1;
    private float? _clipNorm;
    private float? _clipValue;
    private int _parameterCount = -1;

    /// <summary>Creates an optimizer with the base learning rate <paramref name="learningRate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not finite and &gt; 0.</exception>
    protected Optimizer(float learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>The base learning rate ε (before any <see cref="Schedule"/>); finite and &gt; 0.</summary>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = RequirePositive(value, nameof(LearningRate));
    }

    /// <summary>Schedule that maps (<see cref="LearningRate"/>, step) to the rate of each step; <c>null</c> keeps it constant.</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>
    /// L2 coefficient α of the penalty <c>(α/2)‖θ‖²</c>: each step adds <c>α·θ</c> to the gradient.
    /// Finite and ≥ 0; 0 (the default) disables it.
    /// </summary>
    public float WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = RequireNonNegative(value, nameof(WeightDecay));
    }

    /// <summary>
    /// L1 coefficient α of the penalty <c>α Σ|θ|</c>: each step adds <c>α·sign(θ)</c> to the gradient
    /// (<c>sign(0) = 0</c>). Finite and ≥ 0; 0 (the default) disables it.
    /// </summary>
    public float L1
    {
        get => _l1;
        set => _l1 = RequireNonNegative(value, nameof(L1));
    }

    /// <summary>
    /// If set, the whole gradient is rescaled so its global L2 norm is at most this value
    /// (<c>g ← g·c/‖g‖</c> when <c>‖g‖ &gt; c</c>). Finite and &gt; 0, or <c>null</c> (the default) for no clipping.
    /// </summary>
    public float? ClipNorm
    {
        get => _clipNorm;
        set => _clipNorm = value is { } v ? RequirePositive(v, nameof(ClipNorm)) : null;
    }

    /// <summary>
    /// If set, each gradient element is clamped to <c>[−v, v]</c>. Finite and &gt; 0, or <c>null</c> (the default).
    /// </summary>
    public float? ClipValue
    {
        get => _clipValue;
        set => _clipValue = value is { } v ? RequirePositive(v, nameof(ClipValue)) : null;
    }

    /// <summary>Number of steps taken since construction or the last <see cref="Reset"/>.</summary>
    public long Iterations { get; private set; }

    /// <summary>The learning rate the next <see cref="Step"/> will use: <c>Schedule.Rate(LearningRate, Iterations)</c>, or <see cref="LearningRate"/> without a schedule.</summary>
    /// <exception cref="InvalidOperationException">The schedule returned a negative or non-finite rate.</exception>
    public float CurrentLearningRate
    {
        get
        {
            if (Schedule is null)
            {
                return _learningRate;
            }

            float rate = Schedule.Rate(_learningRate, Iterations);
            if (!float.IsFinite(rate) || rate < 0)
            {
                throw new InvalidOperationException(
                    $"{Schedule.GetType().Name} returned the learning rate {rate} at step {Iterations}; it must be finite and >= 0.");
            }

            return rate;
        }
    }

    /// <summary>
    /// Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/> (the loss gradient
    /// of the mini-batch), after adding the penalty gradients and clipping as described on <see cref="Optimizer"/>.
    /// </summary>
    /// <param name="parameters">All trainable parameters θ; updated in place.</param>
    /// <param name="gradients">∂L/∂θ, same length; overwritten with the penalized and clipped gradient.</param>
    /// <exception cref="ArgumentException">The two lengths differ, or differ from the length of the first step.
    /// Nothing is modified then.</exception>
    public void Step(Span<float> parameters, Span<float> gradients)
    {
        if (parameters.Length != gradients.Length)
        {
            throw new ArgumentException(
                $"parameters has {parameters.Length} elements but gradients has {gradients.Length}.", nameof(gradients));
        }

        if (_parameterCount >= 0 && parameters.Length != _parameterCount)
        {
            throw new ArgumentException(
                $"This optimizer was initialized for {_parameterCount} parameters but got {parameters.Length}.",
                nameof(parameters));
        }

        float learningRate = CurrentLearningRate; // may throw: still nothing modified

        if (_parameterCount < 0)
        {
            Initialize(parameters.Length);
            _parameterCount = parameters.Length;
        }

        if (_weightDecay != 0)
        {
            // g ← g + α·θ
            Elementwise.MultiplyAdd(parameters, _weightDecay, gradients, gradients);
        }

        if (_l1 != 0)
        {
            AddScaledSign(parameters, _l1, gradients);
        }

        if (_clipValue is { } clipValue)
        {
            Elementwise.Clamp(gradients, -clipValue, clipValue, gradients);
        }

        if (_clipNorm is { } clipNorm)
        {
            float norm = TensorPrimitives.Norm<float>(gradients);
            if (norm > clipNorm)
            {
                Elementwise.Multiply(gradients, clipNorm / norm, gradients);
            }
        }

        Update(parameters, gradients, learningRate);
        Iterations++;
    }

    /// <summary>
    /// Forgets all training state: <see cref="Iterations"/> returns to 0 and the next <see cref="Step"/>
    /// calls <see cref="Initialize"/> again (with any parameter count), which must zero the state buffers.
    /// Hyperparameters, penalties, clipping and the schedule are kept.
    /// </summary>
    public virtual void Reset()
    {
        Iterations = 0;
        _parameterCount = -1;
    }

    /// <summary>
    /// Called once, at the first <see cref="Step"/> (and the first after <see cref="Reset"/>), before any update:
    /// allocate (or zero) the per-parameter state buffers here, never in <see cref="Update"/>.
    /// </summary>
    /// <param name="parameterCount">Length of the parameter vector every later step will have.</param>
    protected virtual void Initialize(int parameterCount)
    {
    }

    /// <summary>
    /// The optimizer's rule: updates <paramref name="parameters"/> in place from the (penalized, clipped)
    /// <paramref name="gradients"/>. <see cref="Iterations"/> still counts the previous steps, so this is step
    /// <c>t = Iterations + 1</c>. Must not allocate.
    /// </summary>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="gradients">g, same length as <paramref name="parameters"/>.</param>
    /// <param name="learningRate">The scheduled rate ε of this step.</param>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate);

    /// <summary>Returns <paramref name="buffer"/> zeroed if it already has <paramref name="length"/> elements, else a new zeroed array.</summary>
    protected static float[] ZeroedBuffer(float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length != length)
        {
            return new float[length];
        }

        Array.Clear(buffer);
        return buffer;
    }

    /// <summary>Validates a hyperparameter that must be finite and &gt; 0.</summary>
    protected static float RequirePositive(float value, string name)
    {
        if (!float.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and > 0.");
        }

        return value;
    }

    /// <summary>Validates a hyperparameter that must be finite and ≥ 0.</summary>
    protected static float RequireNonNegative(float value, string name)
    {
        if (!float.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and >= 0.");
        }

        return value;
    }

    /// <summary>Validates a decay factor that must lie in <c>[0, 1)</c>.</summary>
    protected static float RequireUnitInterval(float value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
        }

        return value;
    }

    /// <summary><c>g[i] += α·sign(θ[i])</c> with <c>sign(0) = sign(NaN) = 0</c>.</summary>
    private static void AddScaledSign(ReadOnlySpan<float> parameters, float alpha, Span<float> gradients)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var plus = new Vector<float>(alpha);
            var minus = new Vector<float>(-alpha);
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var theta = new Vector<float>(parameters.Slice(i));
                var penalty = Vector.ConditionalSelect(Vector.GreaterThan(theta, Vector<float>.Zero), plus, Vector<float>.Zero)
                            + Vector.ConditionalSelect(Vector.LessThan(theta, Vector<float>.Zero), minus, Vector<float>.Zero);
                (new Vector<float>(gradients.Slice(i)) + penalty).CopyTo(gradients.Slice(i));
            }
        }

        for (; i < parameters.Length; i++)
        {
            float theta = parameters[i];
            gradients[i] += theta > 0 ? alpha : theta < 0 ? -alpha : 0f;
        }
    }
}
