using System.Diagnostics;
using System.Text.Json;

namespace ModelGen.Bench;

/// <summary>
/// A running peers/pytorch_bench.py --serve: one command a line on its input, one JSON reply a line on its output.
/// <see cref="Prepare"/> makes, exports (inference workloads) and warms up a workload; the returned rounds are timed
/// by PyTorch on request, so the quick mode alternates them with ModelGen's and ONNX Runtime's.
/// </summary>
public sealed class PyTorchSession : IDisposable
{
    /// <summary>The longest a reply may take: a prepare exports to ONNX and warms up for a second or more.</summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly Queue<string> _errorTail = new();

    internal PyTorchSession(ProcessStartInfo info)
    {
        _process = new Process { StartInfo = info };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_errorTail)
            {
                _errorTail.Enqueue(e.Data);
                if (_errorTail.Count > 20) _errorTail.Dequeue();
            }
        };
        _process.Start();
        _process.BeginErrorReadLine();
        try
        {
            using var hello = Reply();
            Version = hello.RootElement.GetProperty("torch").GetString() ?? "?";
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>torch.__version__.</summary>
    public string Version { get; }

    /// <summary>Whether the script has ended (it failed, or it did not reply in time and was stopped).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Makes and warms up <paramref name="workload"/> in the PyTorch process (the one before it is dropped).</summary>
    /// <returns>Its rounds, and the ONNX file it exported (inference workloads).</returns>
    public (IRounds Rounds, string? OnnxPath) Prepare(Workload workload)
    {
        using var reply = Send($"prepare {workload.Id}");
        var root = reply.RootElement;
        var unit = root.GetProperty("unit").GetString() == "us" ? TimeUnit.Microseconds : TimeUnit.Milliseconds;
        if (unit != workload.Unit)
        {
            throw new InvalidOperationException($"pytorch_bench.py times {workload.Id} in {root.GetProperty("unit").GetString()}, ModelGen in {workload.Unit}");
        }

        var onnx = root.GetProperty("onnx");
        return (new Rounds(this, root.GetProperty("calls").GetInt64()), onnx.ValueKind == JsonValueKind.String ? onnx.GetString() : null);
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close(); // end of input ends the script
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // already gone
        }

        _process.Dispose();
    }

    private JsonDocument Send(string command)
    {
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
        return Reply();
    }

    /// <summary>The next reply; an error reply, a timeout or the end of the process throws with the script's last words.</summary>
    private JsonDocument Reply()
    {
        var read = _process.StandardOutput.ReadLineAsync();
        if (!read.Wait(ReplyTimeout))
        {
            // A late reply would answer the next command: the process is ended instead.
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pytorch_bench.py --serve did not reply within {ReplyTimeout}");
        }

        if (read.Result is not string line)
        {
            // Its output has ended; once it exits, the parameterless wait also drains the error stream's last lines.
            if (_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.WaitForExit();
            string tail;
            lock (_errorTail) tail = string.Join(" | ", _errorTail.TakeLast(3));
            throw new InvalidOperationException($"pytorch_bench.py --serve ended: {tail}");
        }

        var document = JsonDocument.Parse(line);
        if (document.RootElement.TryGetProperty("error", out var error))
        {
            var message = error.GetString();
            document.Dispose();
            throw new InvalidOperationException($"pytorch_bench.py: {message}");
        }

        return document;
    }

    /// <summary>The prepared workload's rounds, timed in the PyTorch process (warmed up by <see cref="Prepare"/>).</summary>
    private sealed class Rounds(PyTorchSession session, long calls) : IRounds
    {
        public (long Calls, double AllocatedBytesPerCall) Prepare(double warmupSeconds, double roundSeconds) => (calls, double.NaN);

        public (double Wall, double Cpu) Round(TimeUnit unit)
        {
            using var reply = session.Send("round");
            return (reply.RootElement.GetProperty("wall").GetDouble(), reply.RootElement.GetProperty("cpu").GetDouble());
        }
    }
}
