namespace ModelGen;

/// <summary>
/// Elman recurrent layer: <c>s_t = g(W s_{t−1} + U x_t + b)</c>, stored as PyTorch <c>nn.RNN</c>:
/// <c>weight_ih</c> = U (H × in), <c>weight_hh</c> = W (H × H), <c>bias_ih</c> + <c>bias_hh</c> = b.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRnnAttribute : RecurrentAttribute
{
    public SimpleRnnAttribute(int units)
        : base(units)
    {
    }

    /// <summary>g: Tanh (default), Sigmoid, Identity or ReLU.</summary>
    public Activation Activation { get; set; } = Activation.Tanh;
}
