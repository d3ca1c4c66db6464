using System.Diagnostics;
using System.Text.Json;

namespace ModelGen.Bench;

/// <summary>
/// Launches peers/pytorch_bench.py with /usr/bin/python3 (or $MODELGEN_BENCH_PYTHON) in the environment
/// docs/benchmarks.md asks for: one OpenBLAS/OpenMP thread and glibc malloc tuned so PyTorch keeps its activation
/// buffers instead of returning them to the kernel after every step. Installs nothing.
/// </summary>
public static class PyTorchPeer
{
    public const string InstallHint =
        "PyTorch peer unavailable: install Debian's PyTorch and threaded OpenBLAS (sudo apt-get install python3-torch libopenblas0-pthread) or set MODELGEN_BENCH_PYTHON to a python3 that can import torch";

    /// <summary>The interpreter to use.</summary>
    public static string Python => Environment.GetEnvironmentVariable("MODELGEN_BENCH_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>The script, copied next to the build output.</summary>
    public static string Script => Path.Combine(AppContext.BaseDirectory, "peers", "pytorch_bench.py");

    /// <summary>Whether `python3 -c "import torch"` works; the reason otherwise.</summary>
    public static bool IsAvailable(out string reason)
    {
        if (!File.Exists(Script))
        {
            reason = $"{Script} not found";
            return false;
        }

        try
        {
            var (code, _, error) = Execute(["-c", "import torch"], TimeSpan.FromSeconds(120));
            reason = code == 0 ? "" : $"{Python} cannot import torch: {error.Trim().Split('\n')[^1]}";
            return code == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            reason = $"{Python} not found ({e.Message})";
            return false;
        }
    }

    /// <summary>
    /// Whether the threaded OpenBLAS that Debian's torch needs for fair matrix products is installed (dpkg), or
    /// null when dpkg is not there to ask.
    /// </summary>
    public static bool? HasThreadedOpenBlas()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dpkg-query", ["-W", "-f=${Status}", "libopenblas0-pthread"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var status = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 && status.Contains("install ok installed", StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Starts the script in serve mode (peers/pytorch_bench.py --serve), exporting ONNX files into <paramref name="onnxDirectory"/>.</summary>
    public static PyTorchSession Start(string onnxDirectory) =>
        new(StartInfo([Script, "--serve", "--threads", "1", "--onnx-dir", onnxDirectory]));

    /// <summary>The interpreter with <paramref name="arguments"/>, in the environment docs/benchmarks.md asks for, its streams redirected.</summary>
    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Python, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["OPENBLAS_NUM_THREADS"] = "1";
        info.Environment["OMP_NUM_THREADS"] = "1";
        info.Environment["MKL_NUM_THREADS"] = "1";
        info.Environment["MALLOC_MMAP_THRESHOLD_"] = "1073741824";
        info.Environment["MALLOC_TRIM_THRESHOLD_"] = "4294967295";
        info.Environment["PYTHONWARNINGS"] = "ignore";
        return info;
    }

    private static (int Code, string Output, string Error) Execute(IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = new Process { StartInfo = StartInfo(arguments) };
        var error = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            error.AppendLine(e.Data);
        };
        process.Start();
        process.BeginErrorReadLine();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Python} did not finish in {timeout}");
        }

        process.WaitForExit();
        return (process.ExitCode, output.Result, error.ToString());
    }
}
