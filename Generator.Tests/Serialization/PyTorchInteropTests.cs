using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Serialization;

/// <summary>
/// Weights written by PyTorch load into the generated twins and give PyTorch's outputs; weights written by
/// ModelGen are byte-for-byte what PyTorch wrote. The fixtures come from Generator.Tests/Fixtures/make_fixtures.py
/// (run by hand; these tests never need Python).
/// </summary>
public sealed class PyTorchInteropTests : IDisposable
{
    /// <summary>Absolute for values up to 1, relative above.</summary>
    private const double Tolerance = 1e-5;

    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-pytorch-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Mlp_matches_pytorch()
    {
        var fixture = Fixture.Read("mlp");
        var model = new TorchMlp(seed: 1);
        model.Load(fixture.WeightsPath);
        var outputs = new float[fixture.Outputs.Length];
        model.Forward(fixture.Inputs, outputs, fixture.Batch);
        AssertClose(fixture, outputs);
    }

    [Fact]
    public void Cnn_matches_pytorch()
    {
        var fixture = Fixture.Read("cnn");
        var model = new TorchCnn(seed: 1);
        model.Load(fixture.WeightsPath);
        var outputs = new float[fixture.Outputs.Length];
        model.Forward(fixture.Inputs, outputs, fixture.Batch);
        AssertClose(fixture, outputs);
    }

    [Fact]
    public void Lstm_last_hidden_state_matches_pytorch()
    {
        var fixture = Fixture.Read("lstm");
        var model = new TorchLstm(seed: 1);
        model.Load(fixture.WeightsPath);
        var outputs = new float[fixture.Outputs.Length];
        model.Forward(fixture.Inputs, outputs, fixture.Batch, fixture.InputShape[1]);
        AssertClose(fixture, outputs);
    }

    [Fact]
    public void Gru_every_step_matches_pytorch()
    {
        var fixture = Fixture.Read("gru");
        var model = new TorchGru(seed: 1);
        model.Load(fixture.WeightsPath);
        var outputs = new float[fixture.Outputs.Length];
        model.Forward(fixture.Inputs, outputs, fixture.Batch, fixture.InputShape[1]);
        AssertClose(fixture, outputs);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Saving_a_loaded_fixture_writes_the_same_tensors(string name)
    {
        var fixture = Fixture.Read(name);
        var saved = Path.Combine(_folder, name + ".safetensors");
        Action<string> load, save;
        switch (name)
        {
            case "mlp": { var m = new TorchMlp(seed: 1); load = m.Load; save = m.Save; break; }
            case "cnn": { var m = new TorchCnn(seed: 1); load = m.Load; save = m.Save; break; }
            case "lstm": { var m = new TorchLstm(seed: 1); load = m.Load; save = m.Save; break; }
            default: { var m = new TorchGru(seed: 1); load = m.Load; save = m.Save; break; }
        }

        load(fixture.WeightsPath);
        save(saved);

        var expected = ReadTensors(File.ReadAllBytes(fixture.WeightsPath));
        var actual = ReadTensors(File.ReadAllBytes(saved));
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        foreach (var (want, got) in expected.Zip(actual))
        {
            Assert.Equal(want.Shape, got.Shape);
            Assert.True(want.Data.SequenceEqual(got.Data), $"{name}: tensor '{want.Name}' differs from PyTorch's bytes");
        }
    }

    private static void AssertClose(Fixture fixture, float[] actual)
    {
        Assert.Equal(fixture.Outputs.Length, actual.Length);
        for (var i = 0; i < actual.Length; i++)
        {
            double want = fixture.Outputs[i], got = actual[i];
            var allowed = Tolerance * Math.Max(1.0, Math.Abs(want));
            Assert.True(Math.Abs(got - want) <= allowed, $"{fixture.Name}: output {i} is {got:R}, PyTorch gives {want:R} (|difference| {Math.Abs(got - want):G3} > {allowed:G3})");
        }
    }

    private sealed record Tensor(string Name, int[] Shape, byte[] Data);

    /// <summary>The tensors of a safetensors file, in header order (the __metadata__ entry skipped).</summary>
    private static List<Tensor> ReadTensors(byte[] file)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var data = file.AsSpan(8 + length);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, length));
        var tensors = new List<Tensor>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            Assert.Equal("F32", entry.Value.GetProperty("dtype").GetString());
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            tensors.Add(new Tensor(entry.Name, shape, data[offsets[0]..offsets[1]].ToArray()));
        }

        return tensors;
    }

    private sealed record Fixture(string Name, string WeightsPath, int[] InputShape, float[] Inputs, int[] OutputShape, float[] Outputs)
    {
        public int Batch => InputShape[0];

        public static Fixture Read(string name)
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, name + ".expected.json")));
            var root = json.RootElement;
            int[] Ints(string property) => root.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            float[] Floats(string property) => root.GetProperty(property).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            var fixture = new Fixture(name, Path.Combine(folder, name + ".safetensors"), Ints("input_shape"), Floats("inputs"), Ints("output_shape"), Floats("outputs"));
            Assert.Equal(fixture.InputShape.Aggregate(1, (a, b) => a * b), fixture.Inputs.Length);
            Assert.Equal(fixture.OutputShape.Aggregate(1, (a, b) => a * b), fixture.Outputs.Length);
            return fixture;
        }
    }
}
