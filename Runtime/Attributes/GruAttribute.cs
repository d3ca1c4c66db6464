namespace ModelGen;

/// <summary>
/// Gated recurrent unit (no cell state), stored as PyTorch <c>nn.GRU</c>: <c>weight_ih</c> 3H × in and
/// <c>weight_hh</c> 3H × H with gate order r, z, n, and both biases.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : RecurrentAttribute
{
    public GruAttribute(int units)
        : base(units)
    {
    }

    /// <summary>
    /// True (default): the PyTorch/cuDNN form <c>n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))</c>,
    /// <c>h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}</c>, so PyTorch weights load unchanged. False: the classic form
    /// <c>h̃ = tanh(W_h (r ⊙ h_{t−1}) + U_h x + b_h)</c>, <c>h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̃</c>.
    /// </summary>
    public bool ResetAfter { get; set; } = true;
}
