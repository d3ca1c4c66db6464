namespace ModelGen;

/// <summary>How a convolution pads its input.</summary>
public enum Padding
{
    /// <summary>No padding ("valid"): output size floor((M − K)/S) + 1.</summary>
    Valid,

    /// <summary>
    /// Zero padding of floor(K/2) on each side ("same"): with stride 1 and an odd kernel the output has the
    /// input's size. Explicit amounts are set with <see cref="Conv2DAttribute.PadHeight"/>/<see cref="Conv2DAttribute.PadWidth"/>.
    /// </summary>
    Same,
}
