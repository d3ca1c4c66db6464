using System.Buffers.Binary;
using System.Text.Json;

namespace ModelGen.Serialization;

/// <summary>Parses and checks a safetensors header: the length prefix, the JSON, and each entry's fields.</summary>
internal static class SafeTensorsHeader
{
    private const long MaxHeaderLength = 100L << 20;

    /// <summary>Returns the entries by name and the data section that follows the header.</summary>
    public static Dictionary<string, Entry> Parse(ReadOnlySpan<byte> file, string source, out ReadOnlySpan<byte> data)
    {
        if (file.Length < 8)
        {
            throw SafeTensors.Invalid(source, $"the file has {file.Length} bytes, fewer than the 8-byte header length");
        }

        var length = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (length == 0 || length > MaxHeaderLength || length > (ulong)(file.Length - 8))
        {
            throw SafeTensors.Invalid(source, $"the header length {length} does not fit the file of {file.Length} bytes");
        }

        var header = file.Slice(8, (int)length);
        data = file.Slice(8 + (int)length);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(header.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw SafeTensors.Invalid(source, "the header is not a JSON object");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }

                entries[property.Name] = Entry.From(property.Name, property.Value, source);
            }
        }
        catch (JsonException error)
        {
            throw SafeTensors.Invalid(source, "the header is not valid JSON (" + error.Message + ")");
        }

        return entries;
    }

    /// <summary>One tensor's header entry.</summary>
    internal sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End)
    {
        public static Entry From(string name, JsonElement value, string source)
        {
            if (value.ValueKind != JsonValueKind.Object
                || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
                || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
                || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            {
                throw SafeTensors.Invalid(source, $"the header entry of '{name}' needs \"dtype\", \"shape\" and two \"data_offsets\"");
            }

            var dimensions = shape.EnumerateArray().Select(d => d.TryGetInt64(out var n) && n >= 0 ? n : throw SafeTensors.Invalid(source, $"tensor '{name}' has an invalid dimension {d}")).ToArray();
            var begin = offsets[0].TryGetInt64(out var b) ? b : -1;
            var end = offsets[1].TryGetInt64(out var e) ? e : -1;
            return new Entry(name, dtype.GetString()!, dimensions, begin, end);
        }

        /// <summary>Throws unless this entry can fill <paramref name="tensor"/> from a data section of <paramref name="dataLength"/> bytes.</summary>
        public void Check(TensorInfo tensor, int dataLength, string source)
        {
            if (DType != "F32")
            {
                throw SafeTensors.Invalid(source, $"tensor '{Name}' has dtype {DType}, but the model stores F32 (convert with tensor.float() before saving)");
            }

            if (!Shape.SequenceEqual(tensor.Shape.Select(d => (long)d)))
            {
                throw SafeTensors.Invalid(source, $"tensor '{Name}' has shape [{string.Join(", ", Shape)}], but the model expects {tensor.ShapeText}");
            }

            if (Begin < 0 || End < Begin || End > dataLength || End - Begin != 4L * tensor.Length)
            {
                throw SafeTensors.Invalid(source, $"tensor '{Name}' claims bytes [{Begin}, {End}) of a {dataLength}-byte data section; {4L * tensor.Length} bytes are needed");
            }
        }
    }
}
