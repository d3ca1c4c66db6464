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

/// <summary>The quick mode's Stopwatch timer (no BenchmarkDotNet): warm up, size the rounds, time several rounds.</summary>
public static class Measurement
{
    /// <summary>The longest warm-up <see cref="Prepare"/> allows while calls are still getting faster.</summary>
    private const double MaxWarmupSeconds = 4.0;

    /// <summary>
    /// Warms <paramref name="call"/> up for at least <paramref name="warmupSeconds"/> and until it stops getting faster
    /// (past tiered compilation's promotion to optimized code), picks a call count so that one round lasts about
    /// <paramref name="roundSeconds"/>, then times <paramref name="rounds"/> rounds; times are per call in
    /// <paramref name="unit"/>. Allocation is measured on a separate pass of the same calls on this thread.
    /// </summary>
    public static Timing Time(Action call, TimeUnit unit, int rounds = 9, double warmupSeconds = 1.0, double roundSeconds = 0.25)
    {
        var plan = Prepare(call, warmupSeconds, roundSeconds);
        var wall = new double[rounds];
        var cpu = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            (wall[r], cpu[r]) = Round(call, plan.Calls, unit);
        }

        return Summarize(wall, cpu, plan);
    }

    /// <summary>
    /// <see cref="Time"/> for two calls whose rounds alternate (a, b, a, b, …): a ratio of their medians then
    /// compares them in the same moments of a machine whose speed drifts.
    /// </summary>
    public static (Timing A, Timing B) TimeInterleaved(Action a, Action b, TimeUnit unit, int rounds = 9, double warmupSeconds = 1.0, double roundSeconds = 0.25)
    {
        var planA = Prepare(a, warmupSeconds, roundSeconds);
        var planB = Prepare(b, warmupSeconds, roundSeconds);
        double[] wallA = new double[rounds], cpuA = new double[rounds], wallB = new double[rounds], cpuB = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            (wallA[r], cpuA[r]) = Round(a, planA.Calls, unit);
            (wallB[r], cpuB[r]) = Round(b, planB.Calls, unit);
        }

        return (Summarize(wallA, cpuA, planA), Summarize(wallB, cpuB, planB));
    }

    /// <summary>Calls per round and bytes allocated per call, after warm-up.</summary>
    private readonly record struct Plan(long Calls, double AllocatedBytesPerCall);

    private static Plan Prepare(Action call, double warmupSeconds, double roundSeconds)
    {
        // Warm-up: at least 50 calls and warmupSeconds, then on in slices of a round's length for as long as a slice
        // is still more than 2% faster than the one before (at most MaxWarmupSeconds): tiered compilation promotes
        // the hot kernels over a second or two (W1 kept getting faster for about 2 s on the Intel machine), and a
        // round timed before that would compare half-compiled code.
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

        var calls = Math.Max(1, (long)(roundSeconds / secondsPerCall));

        // Allocations per call after warm-up (must be 0 for ModelGen).
        var allocationCalls = Math.Min(calls, 1000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (long i = 0; i < allocationCalls; i++)
        {
            call();
        }

        return new Plan(calls, (double)(GC.GetAllocatedBytesForCurrentThread() - before) / allocationCalls);
    }

    /// <summary>One round: wall-clock and thread CPU time per call, in the unit.</summary>
    private static (double Wall, double Cpu) Round(Action call, long calls, TimeUnit unit)
    {
        var scale = unit == TimeUnit.Microseconds ? 1e6 : 1e3;
        var cpuStart = ThreadCpuSeconds();
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; i < calls; i++)
        {
            call();
        }

        return (Stopwatch.GetElapsedTime(start).TotalSeconds / calls * scale, (ThreadCpuSeconds() - cpuStart) / calls * scale);
    }

    private static Timing Summarize(double[] wall, double[] cpu, Plan plan)
    {
        Array.Sort(wall);
        Array.Sort(cpu);
        var rounds = wall.Length;
        var cpuMedian = OperatingSystem.IsLinux() ? cpu[rounds / 2] : (double?)null;
        return new Timing(wall[rounds / 2], wall[0], wall[^1], plan.AllocatedBytesPerCall, plan.Calls, rounds, cpuMedian);
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
