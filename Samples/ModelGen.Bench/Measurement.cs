using System.Diagnostics;

namespace ModelGen.Bench;

/// <summary>Median, min and max time of one call over several rounds, and bytes allocated per call.</summary>
public sealed record Timing(double Median, double Min, double Max, double AllocatedBytesPerCall, long CallsPerRound, int Rounds)
{
    /// <summary>max / min − 1: the spread the method asks to re-run above 20%.</summary>
    public double Spread => Max / Min - 1;
}

/// <summary>The quick mode's Stopwatch timer (no BenchmarkDotNet): warm up, size the rounds, time several rounds.</summary>
public static class Measurement
{
    /// <summary>
    /// Warms <paramref name="call"/> up for about <paramref name="warmupSeconds"/> (past tiered compilation's
    /// promotion to optimized code), picks a call count so that one round lasts about
    /// <paramref name="roundSeconds"/>, then times <paramref name="rounds"/> rounds; times are per call in
    /// <paramref name="unit"/>. Allocation is measured on a separate pass of the same calls on this thread.
    /// </summary>
    public static Timing Time(Action call, TimeUnit unit, int rounds = 7, double warmupSeconds = 0.6, double roundSeconds = 0.25)
    {
        // Warm-up: at least 50 calls, and long enough for tier-1 (OSR/PGO) to have kicked in.
        var watch = Stopwatch.StartNew();
        long warmCalls = 0;
        while (warmCalls < 50 || watch.Elapsed.TotalSeconds < warmupSeconds)
        {
            call();
            warmCalls++;
        }

        var secondsPerCall = watch.Elapsed.TotalSeconds / warmCalls;
        var calls = Math.Max(1, (long)(roundSeconds / secondsPerCall));

        // Allocations per call after warm-up (must be 0 for ModelGen).
        var allocationCalls = Math.Min(calls, 1000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (long i = 0; i < allocationCalls; i++)
        {
            call();
        }

        var allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / allocationCalls;

        var scale = unit == TimeUnit.Microseconds ? 1e6 : 1e3;
        var perCall = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var start = Stopwatch.GetTimestamp();
            for (long i = 0; i < calls; i++)
            {
                call();
            }

            perCall[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / calls * scale;
        }

        Array.Sort(perCall);
        return new Timing(perCall[rounds / 2], perCall[0], perCall[^1], allocated, calls, rounds);
    }
}
