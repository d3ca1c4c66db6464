using System.Diagnostics;

namespace ModelGen.Bench;

/// <summary>Median, min and max time of one call over several rounds, and bytes allocated per call.</summary>
/// <remarks>
/// <see cref="CpuMedian"/> is the median of the same rounds measured in this thread's CPU time
/// (CLOCK_THREAD_CPUTIME_ID): on a loaded shared machine it leaves out the time the thread waited to be scheduled,
/// which wall-clock time (the main figure) includes.
/// </remarks>
public sealed record Timing(double Median, double Min, double Max, double AllocatedBytesPerCall, long CallsPerRound, int Rounds, double? CpuMedian)
{
    /// <summary>max / min − 1: the spread the method asks to re-run above 20%.</summary>
    public double Spread => Max / Min - 1;
}

/// <summary>
/// A system under test, timed in rounds: warmed up and sized once, then asked for one round at a time, so the
/// rounds of several systems can alternate.
/// </summary>
public interface IRounds
{
    /// <summary>
    /// Warms up and picks the calls per round (about <paramref name="roundSeconds"/> a round); returns them with the
    /// bytes allocated per call after warm-up (NaN where it cannot be measured).
    /// </summary>
    (long Calls, double AllocatedBytesPerCall) Prepare(double warmupSeconds, double roundSeconds);

    /// <summary>One round: wall-clock and thread CPU time per call, in <paramref name="unit"/>.</summary>
    (double Wall, double Cpu) Round(TimeUnit unit);
}

/// <summary>The quick mode's Stopwatch timer (no BenchmarkDotNet): warm up, size the rounds, time several rounds.</summary>
public static class Measurement
{
    /// <summary>The longest warm-up <see cref="CallRounds"/> allows while calls are still getting faster.</summary>
    private const double MaxWarmupSeconds = 4.0;

    /// <summary>
    /// Warms <paramref name="call"/> up for at least <paramref name="warmupSeconds"/> and until it stops getting faster
    /// (past tiered compilation's promotion to optimized code), picks a call count so that one round lasts about
    /// <paramref name="roundSeconds"/>, then times <paramref name="rounds"/> rounds; times are per call in
    /// <paramref name="unit"/>. Allocation is measured on a separate pass of the same calls on this thread.
    /// </summary>
    public static Timing Time(Action call, TimeUnit unit, int rounds = 9, double warmupSeconds = 1.0, double roundSeconds = 0.25) =>
        TimeInterleaved([new CallRounds(call)], unit, rounds, warmupSeconds, roundSeconds)[0];

    /// <summary>
    /// <see cref="Time"/> for several systems whose rounds alternate (a, b, c, a, b, c, …): a ratio of their medians
    /// then compares them in the same moments of a machine whose speed drifts.
    /// </summary>
    public static Timing[] TimeInterleaved(IReadOnlyList<IRounds> systems, TimeUnit unit, int rounds = 9, double warmupSeconds = 1.0, double roundSeconds = 0.25)
    {
        var plans = systems.Select(s => s.Prepare(warmupSeconds, roundSeconds)).ToArray();
        var wall = new double[systems.Count, rounds];
        var cpu = new double[systems.Count, rounds];
        for (var r = 0; r < rounds; r++)
        {
            for (var s = 0; s < systems.Count; s++)
            {
                (wall[s, r], cpu[s, r]) = systems[s].Round(unit);
            }
        }

        return [.. plans.Select((plan, s) => Summarize(Row(wall, s), Row(cpu, s), plan.Calls, plan.AllocatedBytesPerCall))];
    }

    /// <summary>A call on this thread, as <see cref="IRounds"/>.</summary>
    public sealed class CallRounds(Action call) : IRounds
    {
        private long _calls;

        public (long Calls, double AllocatedBytesPerCall) Prepare(double warmupSeconds, double roundSeconds)
        {
            // Warm-up: at least 50 calls and warmupSeconds, then on in slices of a round's length for as long as a
            // slice is still more than 2% faster than the one before (at most MaxWarmupSeconds): tiered compilation
            // promotes the hot kernels over a second or two (W1 kept getting faster for about 2 s on the Intel
            // machine), and a round timed before that would compare half-compiled code.
            var watch = Stopwatch.StartNew();
            long warmCalls = 0;
            while (warmCalls < 50 || watch.Elapsed.TotalSeconds < warmupSeconds)
            {
                call();
                warmCalls++;
            }

            var secondsPerCall = watch.Elapsed.TotalSeconds / warmCalls;
            for (var previous = double.MaxValue; secondsPerCall < previous * 0.98 && watch.Elapsed.TotalSeconds < MaxWarmupSeconds;)
            {
                previous = secondsPerCall;
                var slice = Stopwatch.StartNew();
                long sliceCalls = 0;
                while (slice.Elapsed.TotalSeconds < roundSeconds)
                {
                    call();
                    sliceCalls++;
                }

                secondsPerCall = slice.Elapsed.TotalSeconds / sliceCalls;
            }

            _calls = Math.Max(1, (long)(roundSeconds / secondsPerCall));

            // Allocations per call after warm-up (must be 0 for ModelGen).
            var allocationCalls = Math.Min(_calls, 1000);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (long i = 0; i < allocationCalls; i++)
            {
                call();
            }

            return (_calls, (double)(GC.GetAllocatedBytesForCurrentThread() - before) / allocationCalls);
        }

        public (double Wall, double Cpu) Round(TimeUnit unit)
        {
            var scale = unit == TimeUnit.Microseconds ? 1e6 : 1e3;
            var cpuStart = ThreadCpuSeconds();
            var start = Stopwatch.GetTimestamp();
            for (long i = 0; i < _calls; i++)
            {
                call();
            }

            return (Stopwatch.GetElapsedTime(start).TotalSeconds / _calls * scale, (ThreadCpuSeconds() - cpuStart) / _calls * scale);
        }
    }

    private static double[] Row(double[,] values, int row) => [.. Enumerable.Range(0, values.GetLength(1)).Select(r => values[row, r])];

    private static Timing Summarize(double[] wall, double[] cpu, long calls, double allocatedBytesPerCall)
    {
        Array.Sort(wall);
        Array.Sort(cpu);
        var rounds = wall.Length;
        var cpuMedian = OperatingSystem.IsLinux() ? cpu[rounds / 2] : (double?)null;
        return new Timing(wall[rounds / 2], wall[0], wall[^1], allocatedBytesPerCall, calls, rounds, cpuMedian);
    }

    /// <summary>CPU time of the calling thread in seconds (Linux; 0 elsewhere).</summary>
    public static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        const int clockThreadCpuTimeId = 3;
        return NativeMethods.clock_gettime(clockThreadCpuTimeId, out var ts) == 0 ? ts.Seconds + (ts.Nanoseconds * 1e-9) : 0;
    }

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
        public static extern int clock_gettime(int clockId, out TimeSpec time);
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
