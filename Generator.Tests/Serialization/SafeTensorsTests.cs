using System.Buffers.Binary;
using System.Text;
using ModelGen.Serialization;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Serialization;

/// <summary>Saving and loading generated models' weights, and every way a weights file can be wrong.</summary>
public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-weights-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Round_trip_restores_parameters_and_running_statistics()
    {
        var trained = new BatchNormNet(seed: 1);
        trained.ComputeGradients(TestData.Uniform(8 * BatchNormNet.InputSize, 1), TestData.Uniform(16, 2), 8);
        var path = Path.Combine(_folder, "bn.safetensors");
        trained.Save(path);

        var loaded = new BatchNormNet(seed: 2);
        loaded.Load(path);

        Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(trained.State.ToArray(), loaded.State.ToArray());
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Header_uses_pytorch_state_dict_names_and_shapes()
    {
        var path = Path.Combine(_folder, "lstm.safetensors");
        new PeepholeLstmNet(seed: 1).Save(path);
        var header = ReadHeader(File.ReadAllBytes(path));

        Assert.Contains("\"lstm1.weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[16,3]", header);
        Assert.Contains("\"lstm1.weight_hh_l0\":{\"dtype\":\"F32\",\"shape\":[16,4]", header);
        Assert.Contains("\"dense1.weight\":{\"dtype\":\"F32\",\"shape\":[2,4]", header);
        Assert.Equal(
            new[] { "lstm1.weight_ih_l0", "lstm1.weight_hh_l0", "lstm1.bias_ih_l0", "lstm1.bias_hh_l0", "lstm1.weight_peephole_l0", "dense1.weight", "dense1.bias" },
            PeepholeLstmNet.Tensors.Select(t => t.Name));
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "truncated", "fewer than the 8-byte header length" },
        { "header-length-lies", "does not fit the file" },
        { "not-json", "not valid JSON" },
        { "missing-tensor", "tensor 'dense1.bias' (shape [5]) is missing" },
        { "wrong-shape", "has shape [3, 5], but the model expects [5, 6]" },
        { "wrong-dtype", "has dtype F64" },
        { "data-too-short", "claims bytes" },
        { "nan", "non-finite value" },
        { "extra-tensor", "does not have: extra.weight" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Corrupt_or_mismatched_files_throw_and_leave_the_weights_intact(string corruption, string message)
    {
        var source = new LogitsNet(seed: 1);
        var path = Path.Combine(_folder, corruption + ".safetensors");
        source.Save(path);
        File.WriteAllBytes(path, Corrupt(File.ReadAllBytes(path), corruption));
        var model = new LogitsNet(seed: 7);
        var before = model.Parameters.ToArray();

        var error = Assert.Throws<InvalidDataException>(() => model.Load(path));

        Assert.Contains(message, error.Message);
        Assert.Contains("weights are unchanged", error.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void An_interrupted_save_leaves_the_previous_file_intact()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        var model = new LogitsNet(seed: 1);
        model.Save(path);
        var previous = File.ReadAllBytes(path);

        // A tensor table pointing past the buffer makes the write fail after the header is on disk.
        var broken = new[] { new TensorInfo("dense1.weight", new[] { 5, 6 }, false, 0), new TensorInfo("oops", new[] { 1000 }, false, 0) };
        Assert.ThrowsAny<ArgumentException>(() => SafeTensors.Save(path, broken, new float[LogitsNet.ParameterCount], ReadOnlySpan<float>.Empty));

        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    private static byte[] Corrupt(byte[] file, string corruption)
    {
        switch (corruption)
        {
            case "truncated":
                return file.AsSpan(0, 5).ToArray();
            case "header-length-lies":
                BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)file.Length);
                return file;
            case "data-too-short":
                return file.AsSpan(0, file.Length - 8).ToArray();
            case "nan":
                BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(file.Length - 4), float.NaN);
                return file;
        }

        var header = ReadHeader(file);
        var data = file.AsSpan(8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file)).ToArray();
        header = corruption switch
        {
            "not-json" => header.Replace("{", "[", StringComparison.Ordinal),
            "missing-tensor" => header.Replace("\"dense1.bias\"", "\"dense1.bias_renamed\"", StringComparison.Ordinal),
            "wrong-shape" => header.Replace("\"shape\":[5,6]", "\"shape\":[3,5]", StringComparison.Ordinal),
            "wrong-dtype" => header.Replace("\"dtype\":\"F32\"", "\"dtype\":\"F64\"", StringComparison.Ordinal),
            "extra-tensor" => header[..header.LastIndexOf('}')] + ",\"extra.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            _ => throw new ArgumentOutOfRangeException(nameof(corruption)),
        };
        var bytes = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + bytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)bytes.Length);
        bytes.CopyTo(result, 8);
        data.CopyTo(result, 8 + bytes.Length);
        return result;
    }

    private static string ReadHeader(byte[] file) =>
        Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));
}
