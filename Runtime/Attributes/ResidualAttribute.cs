namespace ModelGen;

/// <summary>
/// Opens a residual block: the input of the next layer is remembered as x, and the matching
/// <see cref="ResidualEndAttribute"/> outputs F(x) + x, where F is the layers in between. F(x) must have
/// x's shape (checked at compile time).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute : Attribute
{
}

/// <summary>Closes the innermost open <see cref="ResidualAttribute"/> block: output = F(x) + x, then <see cref="Activation"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualEndAttribute : Attribute
{
    /// <summary>Applied after the addition (ResNet applies ReLU here). Defaults to <see cref="Activation.Identity"/>.</summary>
    public Activation Activation { get; set; } = Activation.Identity;
}
