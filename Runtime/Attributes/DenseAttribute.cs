namespace ModelGen;

/// <summary>
/// A fully connected layer <c>z = A x + α</c> followed by <see cref="Activation"/>. Weights <c>A</c> are
/// stored out × in (PyTorch <c>Linear.weight</c>), then the bias <c>α</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    public DenseAttribute(int units) => Units = units;

    /// <summary>The number of output units.</summary>
    public int Units { get; }

    /// <summary>The activation applied to <c>z</c>. Defaults to <see cref="Activation.Identity"/>.</summary>
    public Activation Activation { get; set; } = Activation.Identity;
}
