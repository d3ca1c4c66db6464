namespace ModelGen;

/// <summary>
/// A 2-D convolution (cross-correlation, as in PyTorch and Keras) over C × H × W input with
/// <see cref="Filters"/> kernels of <see cref="KernelHeight"/> × <see cref="KernelWidth"/>, followed by
/// <see cref="Activation"/>. Output size per axis: Q = floor((M + 2P − K)/S) + 1. Weights are stored
/// F × C × KH × KW (PyTorch <c>Conv2d.weight</c>), then the bias of length F.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : Attribute
{
    /// <summary>A square <paramref name="kernelSize"/> × <paramref name="kernelSize"/> kernel.</summary>
    public Conv2DAttribute(int filters, int kernelSize)
        : this(filters, kernelSize, kernelSize)
    {
    }

    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Number of output channels F.</summary>
    public int Filters { get; }

    public int KernelHeight { get; }

    public int KernelWidth { get; }

    /// <summary>Stride S along both axes (default 1); <see cref="StrideHeight"/>/<see cref="StrideWidth"/> override it per axis.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Vertical stride; 0 means <see cref="Stride"/>.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal stride; 0 means <see cref="Stride"/>.</summary>
    public int StrideWidth { get; set; }

    /// <summary>Valid (default) or same padding. Ignored where an explicit pad is set.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Explicit zero padding P on the top and bottom; −1 (default) means "from <see cref="Padding"/>".</summary>
    public int PadHeight { get; set; } = -1;

    /// <summary>Explicit zero padding on the left and right; −1 (default) means "from <see cref="Padding"/>".</summary>
    public int PadWidth { get; set; } = -1;

    /// <summary>The activation applied to the feature maps. Defaults to <see cref="Activation.Identity"/>.</summary>
    public Activation Activation { get; set; } = Activation.Identity;
}
