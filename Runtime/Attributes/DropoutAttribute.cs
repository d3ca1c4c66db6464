namespace ModelGen;

/// <summary>
/// Inverted dropout: during training each unit is zeroed with probability <see cref="Rate"/> and the
/// survivors are scaled by <c>1/(1 − rate)</c>, so inference needs no rescaling and is the identity.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>The probability of dropping a unit, in [0, 1).</summary>
    public double Rate { get; }
}
