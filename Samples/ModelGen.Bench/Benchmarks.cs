using BenchmarkDotNet.Attributes;

namespace ModelGen.Bench;

/// <summary>
/// BenchmarkDotNet runs of every ModelGen workload (docs/benchmarks.md), memory diagnoser on: one operation is
/// one call (one example, one time step or one training step). Run with
/// <c>dotnet run -c Release --project Samples/ModelGen.Bench -- bdn --filter '*W1*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ModelGenBenchmarks
{
    private readonly MlpInference _w1 = new();
    private readonly MlpTraining _w2 = new();
    private readonly LstmStreaming32 _w3h32 = new();
    private readonly LstmStreaming128 _w3h128 = new();
    private readonly LstmTraining _w4 = new();
    private readonly GruCharTraining _w5 = new();
    private readonly CnnTraining _w6Train = new();
    private readonly CnnInference _w6Infer = new();

    [Benchmark(Description = "W1 MLP inference, batch 1")]
    public void W1_MlpInference() => _w1.Run();

    [Benchmark(Description = "W2 MLP train step, batch 32, SGD")]
    public void W2_MlpTraining() => _w2.Run();

    [Benchmark(Description = "W3-H32 LSTM 32 streaming step")]
    public void W3_H32_LstmStep() => _w3h32.Run();

    [Benchmark(Description = "W3-H128 LSTM 128 streaming step")]
    public void W3_H128_LstmStep() => _w3h128.Run();

    [Benchmark(Description = "W4 LSTM 64 train step, T 50, batch 32, Adam")]
    public void W4_LstmTraining() => _w4.Run();

    [Benchmark(Description = "W5 GRU 128 char train step, T 64, batch 16, Adam")]
    public void W5_GruTraining() => _w5.Run();

    [Benchmark(Description = "W6 CNN train step, batch 32, Adam")]
    public void W6_CnnTraining() => _w6Train.Run();

    [Benchmark(Description = "W6 CNN inference, batch 1")]
    public void W6_CnnInference() => _w6Infer.Run();
}

/// <summary>
/// BenchmarkDotNet runs of the ONNX Runtime peer, on ONNX files exported beforehand with
/// <c>/usr/bin/python3 Samples/ModelGen.Bench/peers/pytorch_bench.py --onnx-dir DIR</c> and named by the
/// environment variable MODELGEN_BENCH_ONNX_DIR (BenchmarkDotNet's child processes inherit it).
/// </summary>
[MemoryDiagnoser]
public class OnnxRuntimeBenchmarks
{
    private OnnxRunner? _w1, _w3h32, _w3h128, _w6Infer;

    [GlobalSetup]
    public void Setup()
    {
        var dir = Environment.GetEnvironmentVariable("MODELGEN_BENCH_ONNX_DIR")
            ?? throw new InvalidOperationException("Set MODELGEN_BENCH_ONNX_DIR to the folder written by pytorch_bench.py --onnx-dir");
        _w1 = OnnxRunner.FeedForward(Path.Combine(dir, "w1_mlp.onnx"), [1, 784], [1, 10]);
        _w3h32 = OnnxRunner.LstmStep(Path.Combine(dir, "w3_lstm32.onnx"), 32);
        _w3h128 = OnnxRunner.LstmStep(Path.Combine(dir, "w3_lstm128.onnx"), 128);
        _w6Infer = OnnxRunner.FeedForward(Path.Combine(dir, "w6_cnn.onnx"), [1, 1, 20, 20], [1, 3]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _w1?.Dispose();
        _w3h32?.Dispose();
        _w3h128?.Dispose();
        _w6Infer?.Dispose();
    }

    [Benchmark(Description = "ORT W1 MLP inference, batch 1")]
    public void W1_MlpInference() => _w1!.Run();

    [Benchmark(Description = "ORT W3-H32 LSTM 32 streaming step")]
    public void W3_H32_LstmStep() => _w3h32!.Run();

    [Benchmark(Description = "ORT W3-H128 LSTM 128 streaming step")]
    public void W3_H128_LstmStep() => _w3h128!.Run();

    [Benchmark(Description = "ORT W6 CNN inference, batch 1")]
    public void W6_CnnInference() => _w6Infer!.Run();
}
