namespace ModelGen;

/// <summary>
/// Long short-term memory layer (gates on [h_{t−1}, x_t], cell state C_t), stored as PyTorch <c>nn.LSTM</c>:
/// <c>weight_ih</c> 4H × in and <c>weight_hh</c> 4H × H with gate order i, f, g, o, and both biases.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : RecurrentAttribute
{
    public LstmAttribute(int units)
        : base(units)
    {
    }

    /// <summary>Peephole connections: the input and forget gates also see C_{t−1}, the output gate sees C_t (3H extra weights).</summary>
    public bool Peepholes { get; set; }

    /// <summary>Coupled forget/input gates: C_t = f ⊙ C_{t−1} + (1 − f) ⊙ C̃ (no input gate; gate order f, g, o).</summary>
    public bool CoupledGates { get; set; }
}
