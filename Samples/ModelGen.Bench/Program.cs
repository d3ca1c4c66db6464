using BenchmarkDotNet.Running;
using ModelGen.Bench;

// ModelGen benchmark harness (docs/benchmarks.md).
//   bdn [BenchmarkDotNet arguments]          full BenchmarkDotNet runs (default filter: ModelGen's workloads)
//   --quick [--json FILE] [--only W1,W4] [--no-peers]
//                                            Stopwatch medians for ModelGen, PyTorch and ONNX Runtime, one table
if (args.Length > 0 && args[0] == "bdn")
{
    var rest = args[1..];
    if (!rest.Any(a => a is "--filter" or "-f" or "--list" or "--info"))
    {
        rest = [.. rest, "--filter", "*ModelGenBenchmarks*"];
    }

    BenchmarkSwitcher.FromAssembly(typeof(ModelGenBenchmarks).Assembly).Run(rest);
    return 0;
}

if (args.Contains("--quick"))
{
    string? json = null, only = null;
    var peers = true;
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--json" when i + 1 < args.Length:
                json = args[++i];
                break;
            case "--only" when i + 1 < args.Length:
                only = args[++i];
                break;
            case "--no-peers":
                peers = false;
                break;
        }
    }

    return QuickMode.Run(json, only, peers);
}

Console.WriteLine("""
    ModelGen benchmarks (docs/benchmarks.md)
      dotnet run -c Release --project Samples/ModelGen.Bench -- --quick [--json FILE] [--only W1,W4] [--no-peers]
          quick Stopwatch medians of every workload for ModelGen, PyTorch and ONNX Runtime (under 10 minutes)
      dotnet run -c Release --project Samples/ModelGen.Bench -- bdn [--filter '*W1*'] [BenchmarkDotNet options]
          full BenchmarkDotNet runs of ModelGen's workloads (memory diagnoser on); '--filter *OnnxRuntime*' runs
          ONNX Runtime's, with MODELGEN_BENCH_ONNX_DIR set to a folder from peers/pytorch_bench.py --onnx-dir
    """);
return args.Length == 0 || args.Contains("--help") || args.Contains("-h") ? 0 : 1;
