using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelGen.Bench;

/// <summary>
/// The quick comparison (no BenchmarkDotNet): each workload timed with <see cref="Measurement"/> in rounds that
/// alternate between ModelGen, ONNX Runtime (inference workloads, on the model PyTorch exports) and PyTorch (the
/// script in serve mode); one table and one JSON.
/// </summary>
public static class QuickMode
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private sealed record Row(Workload Workload, Timing ModelGen)
    {
        public Timing? PyTorch { get; set; }
        public Timing? OnnxRuntime { get; set; }
        public double? BestPeer => (PyTorch?.Median, OnnxRuntime?.Median) switch
        {
            (double p, double o) => Math.Min(p, o),
            (double p, null) => p,
            (null, double o) => o,
            _ => null,
        };
        public double? BestPeerCpu => (PyTorch?.CpuMedian, OnnxRuntime?.CpuMedian) switch
        {
            (double p, double o) => Math.Min(p, o),
            (double p, null) => p,
            (null, double o) => o,
            _ => null,
        };
        public double GFlops => Workload.Flops / (ModelGen.Median * (Workload.Unit == TimeUnit.Microseconds ? 1e-6 : 1e-3)) / 1e9;

        /// <summary>The cache read rate measured for this row's weight bytes (batch-1 rows), GB/s.</summary>
        public double? ReadGBps { get; set; }

        /// <summary>
        /// The roofline, in the row's unit: the larger of the FLOPs at the single-core peak and the weight bytes at
        /// <see cref="ReadGBps"/> (the least time the arithmetic or the weight stream alone can take).
        /// </summary>
        public double Limit(double peak)
        {
            double seconds = Math.Max(Workload.Flops / (peak * 1e9), ReadGBps is double gbps ? Workload.WeightBytes / (gbps * 1e9) : 0);
            return seconds * (Workload.Unit == TimeUnit.Microseconds ? 1e6 : 1e3);
        }
    }

    public static int Run(string? jsonPath, string? only, bool runPeers)
    {
        var started = DateTime.UtcNow;
        var filter = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var workloads = Workload.All().Where(w => filter is null || filter.Contains(w.Id)).ToList();
        var notes = new List<string>();

        Console.WriteLine($".NET {RuntimeInformation.FrameworkDescription} ({Environment.Version}), {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.ProcessArchitecture}");
        Console.WriteLine($"Server GC: {System.Runtime.GCSettings.IsServerGC}; Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");

        var peak = PeakFlops.Measure();
        Console.WriteLine($"Peak (one core, {PeakFlops.Isa} FMA loop, 12 accumulators): {peak:F1} GFLOP/s");

        var readRates = new Dictionary<double, double>();
        foreach (var bytes in workloads.Select(w => w.WeightBytes).Where(b => b > 0).Distinct())
        {
            readRates[bytes] = StreamBandwidth.Measure((long)bytes);
            Console.WriteLine($"Cache read rate for {bytes / 1024:F0} KiB (two aligned streams): {readRates[bytes]:F0} GB/s");
        }

        // Each workload's rounds alternate between the systems, so every ratio compares the machine in the same
        // moments (its speed drifts by tens of percent over a minute). PyTorch's script, in serve mode, prepares a
        // workload (and exports the inference models to ONNX) before its rounds.
        var onnxDirectory = Path.Combine(Path.GetTempPath(), $"modelgen-bench-onnx-{Environment.ProcessId}");
        var pyTorch = runPeers ? StartPyTorch(onnxDirectory, notes) : null;
        if (!runPeers) notes.Add("peers skipped (--no-peers)");

        var rows = new List<Row>();
        try
        {
            foreach (var workload in workloads)
            {
                var (timing, pyTorchTiming, onnxTiming) = TimeWorkload(workload, ref pyTorch, notes);
                var row = new Row(workload, timing) { ReadGBps = readRates.TryGetValue(workload.WeightBytes, out var rate) ? rate : null };
                row.PyTorch = pyTorchTiming;
                row.OnnxRuntime = onnxTiming;
                rows.Add(row);
                Print("ModelGen", workload, timing);
                if (onnxTiming is not null) Print("ONNX Runtime", workload, onnxTiming);
                if (pyTorchTiming is not null) Print("PyTorch", workload, pyTorchTiming);
            }
        }
        finally
        {
            pyTorch?.Dispose();
            if (Directory.Exists(onnxDirectory)) Directory.Delete(onnxDirectory, recursive: true);
        }

        if (rows.Any(r => r.OnnxRuntime is not null))
            notes.Add($"ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version} (managed assembly), CPU provider, IntraOpNumThreads 1, ORT_ENABLE_ALL, IoBinding");

        var parallel = new List<(Workload Workload, Timing Timing, Timing Single)>();
        if (Environment.ProcessorCount >= 2)
        {
            foreach (var workload in ParallelWorkloads.For(workloads, workers: 2))
            {
                var single = rows.Single(r => r.Workload == ((ParallelTraining)workload).Single).ModelGen;
                var timing = Measurement.Time(workload.Run, workload.Unit);
                parallel.Add((workload, timing, single));
                Console.WriteLine($"  ModelGen {workload.Id}: {timing.Median:F2} {Unit(workload)} (min {timing.Min:F2}, max {timing.Max:F2}, {timing.AllocatedBytesPerCall:F0} B/call on the calling thread)");
                ((IDisposable)workload).Dispose();
            }
        }

        GeneratorTiming.Result? g1 = null;
        if (filter is null || filter.Contains("G1"))
        {
            g1 = GeneratorTiming.Measure();
            Console.WriteLine($"  G1 generator, {g1.Layers}-layer model: {g1.FullMilliseconds:F1} ms to generate {g1.GeneratedLines} lines; {g1.EditMilliseconds:F2} ms after an unrelated edit (model step cached: {g1.Cached})");
        }

        foreach (var row in rows.Where(r => r.ModelGen.Spread > 0.2))
        {
            notes.Add($"{row.Workload.Id}: ModelGen min and max differ by {row.ModelGen.Spread:P0} (> 20%): re-run on a quieter machine");
        }

        PrintTable(rows, peak);
        PrintParallelTable(parallel);
        foreach (var note in notes)
        {
            Console.WriteLine($"note: {note}");
        }

        if (jsonPath is not null)
        {
            WriteJson(jsonPath, rows, parallel, g1, peak, notes, started);
            Console.WriteLine($"wrote {jsonPath}");
        }

        Console.WriteLine($"total {(DateTime.UtcNow - started).TotalSeconds:F0} s");
        return 0;
    }

    /// <summary>The PyTorch script in serve mode, or null (and a note) when it cannot run.</summary>
    private static PyTorchSession? StartPyTorch(string onnxDirectory, List<string> notes)
    {
        if (!PyTorchPeer.IsAvailable(out var reason))
        {
            notes.Add($"{reason}. {PyTorchPeer.InstallHint}; ONNX Runtime needs the ONNX files that script exports.");
            return null;
        }

        if (PyTorchPeer.HasThreadedOpenBlas() == false)
        {
            notes.Add("libopenblas0-pthread is not installed: Debian's torch falls back to the reference BLAS (15-30x slower matrix products), not a fair peer (sudo apt-get install libopenblas0-pthread)");
        }

        Directory.CreateDirectory(onnxDirectory);
        try
        {
            Console.WriteLine($"PyTorch: {PyTorchPeer.Python} {PyTorchPeer.Script} --serve, 1 thread");
            var session = PyTorchPeer.Start(onnxDirectory);
            notes.Add($"PyTorch {session.Version}, torch.set_num_threads(1), OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1, MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ set; its rounds alternate with ModelGen's");
            return session;
        }
        catch (Exception e) when (IsPeerFailure(e))
        {
            notes.Add($"PyTorch peer failed to start: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// ModelGen, ONNX Runtime (when PyTorch exported the workload's model) and PyTorch on one workload, their rounds
    /// alternating. A peer that fails is noted and left out (PyTorch for the rest of the run: its process may be gone).
    /// </summary>
    private static (Timing ModelGen, Timing? PyTorch, Timing? OnnxRuntime) TimeWorkload(Workload workload, ref PyTorchSession? pyTorch, List<string> notes)
    {
        IRounds? pyTorchRounds = null;
        string? onnxPath = null;
        try
        {
            if (pyTorch is not null) (pyTorchRounds, onnxPath) = pyTorch.Prepare(workload);
        }
        catch (Exception e) when (IsPeerFailure(e))
        {
            notes.Add($"PyTorch {workload.Id} failed: {e.Message}");
            if (pyTorch is { HasExited: true })
            {
                pyTorch.Dispose();
                pyTorch = null;
            }
        }

        using var onnx = onnxPath is null ? null : OpenOnnxRuntime(workload, onnxPath, notes);
        var systems = new List<(string Name, IRounds Rounds)> { ("ModelGen", new Measurement.CallRounds(workload.Run)) };
        if (onnx is not null) systems.Add(("ONNX Runtime", new PeerRounds("ONNX Runtime", new Measurement.CallRounds(onnx.Run))));
        if (pyTorchRounds is not null) systems.Add(("PyTorch", new PeerRounds("PyTorch", pyTorchRounds)));
        while (true)
        {
            try
            {
                var timings = Measurement.TimeInterleaved([.. systems.Select(s => s.Rounds)], workload.Unit);
                Timing? Of(string name) => systems.FindIndex(s => s.Name == name) is var i and >= 0 ? timings[i] : null;
                return (timings[0], Of("PyTorch"), Of("ONNX Runtime"));
            }
            catch (PeerFailedException e)
            {
                notes.Add($"{e.Peer} {workload.Id} failed: {e.InnerException?.Message}");
                systems.RemoveAll(s => s.Name == e.Peer);
                if (e.Peer == "PyTorch")
                {
                    pyTorch?.Dispose();
                    pyTorch = null;
                }
            }
        }
    }

    /// <summary>ONNX Runtime's runner for an inference workload, or null (and a note) when it cannot load the model.</summary>
    private static OnnxRunner? OpenOnnxRuntime(Workload workload, string path, List<string> notes)
    {
        try
        {
            return workload.Id switch
            {
                "W1" => OnnxRunner.FeedForward(path, [1, 784], [1, 10]),
                "W3-H32" => OnnxRunner.LstmStep(path, 32),
                "W3-H128" => OnnxRunner.LstmStep(path, 128),
                "W6-infer" => OnnxRunner.FeedForward(path, [1, 1, 20, 20], [1, 3]),
                _ => throw new InvalidOperationException($"no ONNX Runtime runner for {workload.Id}"),
            };
        }
        catch (Exception e) when (IsPeerFailure(e))
        {
            notes.Add($"ONNX Runtime {workload.Id} failed: {e.Message}");
            return null;
        }
    }

    private static bool IsPeerFailure(Exception e) =>
        e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidOperationException or DllNotFoundException or TimeoutException
            or JsonException or KeyNotFoundException or IOException or System.ComponentModel.Win32Exception;

    /// <summary>A peer's rounds whose failures name the peer, so the caller can go on without it.</summary>
    private sealed class PeerRounds(string peer, IRounds inner) : IRounds
    {
        public (long Calls, double AllocatedBytesPerCall) Prepare(double warmupSeconds, double roundSeconds)
        {
            try { return inner.Prepare(warmupSeconds, roundSeconds); }
            catch (Exception e) when (IsPeerFailure(e)) { throw new PeerFailedException(peer, e); }
        }

        public (double Wall, double Cpu) Round(TimeUnit unit)
        {
            try { return inner.Round(unit); }
            catch (Exception e) when (IsPeerFailure(e)) { throw new PeerFailedException(peer, e); }
        }
    }

    private sealed class PeerFailedException(string peer, Exception inner) : Exception($"{peer} failed", inner)
    {
        public string Peer { get; } = peer;
    }

    private static void Print(string system, Workload workload, Timing timing) =>
        Console.WriteLine($"  {system} {workload.Id}: {timing.Median:F2} {Unit(workload)} (min {timing.Min:F2}, max {timing.Max:F2}, CPU {timing.CpuMedian:F2}, {timing.AllocatedBytesPerCall:F0} B/call)");

    private static string Unit(Workload workload) => workload.Unit == TimeUnit.Microseconds ? "us" : "ms";

    private static string Format(double? value) => value is double v ? v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : "F2", Invariant) : "-";

    private static void PrintTable(List<Row> rows, double peak)
    {
        string[] header = ["workload", "unit", "ModelGen", "PyTorch", "ONNX Runtime", "best peer / ModelGen", "same, CPU time", "GFLOP/s", "% of peak", "limit", "allocated B/call"];
        var lines = rows.Select(r => new[]
        {
            r.Workload.Id,
            Unit(r.Workload),
            Format(r.ModelGen.Median),
            Format(r.PyTorch?.Median),
            Format(r.OnnxRuntime?.Median),
            r.BestPeer is double best ? (best / r.ModelGen.Median).ToString("F2", Invariant) + "x" : "-",
            r.BestPeerCpu is double bestCpu && r.ModelGen.CpuMedian is double cpu ? (bestCpu / cpu).ToString("F2", Invariant) + "x" : "-",
            r.GFlops.ToString("F2", Invariant),
            (r.GFlops / peak * 100).ToString("F1", Invariant) + "%",
            Format(r.Limit(peak)),
            r.ModelGen.AllocatedBytesPerCall.ToString("F0", Invariant),
        }).ToList();

        Console.WriteLine();
        Console.WriteLine($"""
            Peak: {peak.ToString("F1", Invariant)} GFLOP/s (one core, {PeakFlops.Isa}); times are wall-clock medians of 9 rounds; ratio > 1: ModelGen faster;
            "same, CPU time" is the ratio of the medians in thread CPU time (leaves out waits for a core on a loaded machine);
            limit: the roofline, the larger of FLOPs at peak and (batch 1) the weights' bytes at the measured cache read rate
            """);
        Console.WriteLine("| " + string.Join(" | ", header) + " |");
        Console.WriteLine("|" + string.Join("|", header.Select((h, i) => i < 2 ? "---" : "---:")) + "|");
        foreach (var line in lines)
        {
            Console.WriteLine("| " + string.Join(" | ", line) + " |");
        }

        Console.WriteLine();
    }

    private static void PrintParallelTable(List<(Workload Workload, Timing Timing, Timing Single)> parallel)
    {
        if (parallel.Count == 0)
        {
            return;
        }

        Console.WriteLine("Data-parallel training (DataParallel<TModel>, 2 replicas on 2 threads) against one thread:");
        Console.WriteLine("| workload | unit | 1 thread | 2 threads | speedup |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (var (workload, timing, single) in parallel)
        {
            Console.WriteLine($"| {workload.Id} | {Unit(workload)} | {Format(single.Median)} | {Format(timing.Median)} | {(single.Median / timing.Median).ToString("F2", Invariant)}x |");
        }

        Console.WriteLine();
    }

    private static void WriteJson(string path, List<Row> rows, List<(Workload Workload, Timing Timing, Timing Single)> parallel, GeneratorTiming.Result? g1, double peak, List<string> notes, DateTime started)
    {
        static JsonNode? N(double? v) => v is double d ? JsonValue.Create(Math.Round(d, 4)) : null;
        var array = new JsonArray();
        foreach (var r in rows)
        {
            array.Add(new JsonObject
            {
                ["workload"] = r.Workload.Id,
                ["description"] = r.Workload.Description,
                ["unit"] = Unit(r.Workload),
                ["modelgen"] = N(r.ModelGen.Median),
                ["pytorch"] = N(r.PyTorch?.Median),
                ["onnxruntime"] = N(r.OnnxRuntime?.Median),
                ["ratio_best_peer"] = N(r.BestPeer / r.ModelGen.Median),
                ["gflops"] = N(r.GFlops),
                ["peak_fraction"] = N(r.GFlops / peak),
                ["allocated_bytes"] = N(r.ModelGen.AllocatedBytesPerCall),
                ["limit"] = N(r.Limit(peak)),
                ["weight_bytes"] = r.Workload.WeightBytes > 0 ? N(r.Workload.WeightBytes) : null,
                ["cache_read_gbps"] = N(r.ReadGBps),
                ["flops"] = N(r.Workload.Flops),
                ["modelgen_min"] = N(r.ModelGen.Min),
                ["modelgen_max"] = N(r.ModelGen.Max),
                ["pytorch_min"] = N(r.PyTorch?.Min),
                ["pytorch_max"] = N(r.PyTorch?.Max),
                ["onnxruntime_min"] = N(r.OnnxRuntime?.Min),
                ["onnxruntime_max"] = N(r.OnnxRuntime?.Max),
                ["modelgen_cpu"] = N(r.ModelGen.CpuMedian),
                ["pytorch_cpu"] = N(r.PyTorch?.CpuMedian),
                ["onnxruntime_cpu"] = N(r.OnnxRuntime?.CpuMedian),
                ["ratio_best_peer_cpu"] = N(r.BestPeerCpu / r.ModelGen.CpuMedian),
                ["onnxruntime_allocated_bytes"] = N(r.OnnxRuntime?.AllocatedBytesPerCall),
            });
        }

        var root = new JsonObject
        {
            ["peak_gflops"] = Math.Round(peak, 2),
            ["peak_isa"] = PeakFlops.Isa,
            ["dotnet"] = Environment.Version.ToString(),
            ["framework"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["processor_count"] = Environment.ProcessorCount,
            ["date"] = started.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Invariant),
            ["rows"] = array,
            ["g1"] = g1 is null ? null : new JsonObject
            {
                ["layers"] = g1.Layers,
                ["generate_ms"] = Math.Round(g1.FullMilliseconds, 3),
                ["after_unrelated_edit_ms"] = Math.Round(g1.EditMilliseconds, 3),
                ["model_step_cached"] = g1.Cached,
                ["generated_lines"] = g1.GeneratedLines,
            },
            ["parallel_rows"] = new JsonArray([.. parallel.Select(p => (JsonNode?)new JsonObject
            {
                ["workload"] = p.Workload.Id,
                ["unit"] = Unit(p.Workload),
                ["one_thread"] = N(p.Single.Median),
                ["two_threads"] = N(p.Timing.Median),
                ["speedup"] = N(p.Single.Median / p.Timing.Median),
            })]),
            ["notes"] = new JsonArray([.. notes.Select(n => (JsonNode?)JsonValue.Create(n))]),
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
    }
}
