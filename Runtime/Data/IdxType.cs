namespace ModelGen.Data;

/// <summary>The element types of the IDX format (the third byte of an IDX file's magic number).</summary>
public enum IdxType : byte
{
    /// <summary>Unsigned byte, 0 … 255 (MNIST images and labels).</summary>
    UnsignedByte = 0x08,

    /// <summary>Signed byte, −128 … 127.</summary>
    SignedByte = 0x09,

    /// <summary>Big-endian 16-bit signed integer.</summary>
    Int16 = 0x0B,

    /// <summary>Big-endian 32-bit signed integer.</summary>
    Int32 = 0x0C,

    /// <summary>Big-endian IEEE 754 single precision.</summary>
    Float32 = 0x0D,

    /// <summary>Big-endian IEEE 754 double precision.</summary>
    Float64 = 0x0E,
}
