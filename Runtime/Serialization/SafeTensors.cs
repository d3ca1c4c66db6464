using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ModelGen.Serialization;

/// <summary>
/// Reads and writes model weights in the safetensors format (an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to its dtype, shape and byte offsets, then the raw little-endian data), so
/// weights move to and from PyTorch (<c>safetensors.torch.save_file(model.state_dict(), ...)</c>).
/// </summary>
/// <remarks>
/// Loading validates the whole file (header, names, dtypes, shapes, offsets, finite values) before it writes
/// anything: a corrupt or mismatched file throws <see cref="InvalidDataException"/> and the model keeps its
/// weights. Saving writes a temporary file and renames it over the target, so an interrupted save leaves the
/// previous file intact.
/// </remarks>
public static class SafeTensors
{
    /// <summary>Saves <paramref name="tensors"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Save(string path, IReadOnlyList<TensorInfo> tensors, ReadOnlySpan<float> parameters, ReadOnlySpan<float> state)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Write(stream, tensors, parameters, state);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="tensors"/> in safetensors format to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IReadOnlyList<TensorInfo> tensors, ReadOnlySpan<float> parameters, ReadOnlySpan<float> state)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = Header(tensors);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var tensor in tensors)
        {
            var values = (tensor.IsState ? state : parameters).Slice(tensor.Offset, tensor.Length);
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(values));
            }
            else
            {
                foreach (var value in values)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
                    stream.Write(bytes);
                }
            }
        }
    }

    /// <summary>Loads <paramref name="path"/> into the buffers, after validating all of it.</summary>
    public static void Load(string path, IReadOnlyList<TensorInfo> tensors, Span<float> parameters, Span<float> state)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Read(File.ReadAllBytes(path), tensors, parameters, state, path);
    }

    /// <summary>Reads safetensors bytes into the buffers, after validating all of them.</summary>
    public static void Read(ReadOnlySpan<byte> file, IReadOnlyList<TensorInfo> tensors, Span<float> parameters, Span<float> state, string source = "the weights")
    {
        var entries = SafeTensorsHeader.Parse(file, source, out var data);
        var stagedParameters = parameters.ToArray();
        var stagedState = state.ToArray();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            expected.Add(tensor.Name);
            if (!entries.TryGetValue(tensor.Name, out var entry))
            {
                throw Invalid(source, $"tensor '{tensor.Name}' (shape {tensor.ShapeText}) is missing");
            }

            entry.Check(tensor, data.Length, source);
            var target = (tensor.IsState ? stagedState : stagedParameters).AsSpan(tensor.Offset, tensor.Length);
            var bytes = data.Slice((int)entry.Begin, tensor.Length * 4);
            for (var i = 0; i < target.Length; i++)
            {
                var value = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
                if (!float.IsFinite(value))
                {
                    throw Invalid(source, $"tensor '{tensor.Name}' holds a non-finite value ({value}) at index {i}");
                }

                target[i] = value;
            }
        }

        var unexpected = entries.Keys.Where(name => !expected.Contains(name) && !name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        if (unexpected.Count > 0)
        {
            throw Invalid(source, "it holds tensors this model does not have: " + string.Join(", ", unexpected.Order(StringComparer.Ordinal)));
        }

        // Everything checked: only now does the model change.
        stagedParameters.CopyTo(parameters);
        stagedState.CopyTo(state);
    }

    internal static InvalidDataException Invalid(string source, string problem) =>
        new($"Cannot load {source}: {problem}. The model's weights are unchanged.");

    private static byte[] Header(IReadOnlyList<TensorInfo> tensors)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            json.WriteString("format", "pt");
            json.WriteString("producer", "ModelGen");
            json.WriteEndObject();
            long offset = 0;
            foreach (var tensor in tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var dimension in tensor.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * tensor.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // The format pads the header with spaces so that the data starts 8-byte aligned.
        while (buffer.Length % 8 != 0)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }
}
