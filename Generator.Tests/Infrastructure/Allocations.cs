using System.Diagnostics;

namespace ModelGen.Tests.Infrastructure;

/// <summary>How many bytes a step allocates on the calling thread once it is warm.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="step"/> for a second (and at least 100 times) so that tiered compilation and on-stack
    /// replacement are done with it, then returns the bytes the calling thread allocates over <paramref name="runs"/>
    /// more calls. With a single warm-up call, whole-model tests occasionally caught a one-off allocation from that
    /// machinery in the window (once in about six full runs); a step that allocates still shows on every run.
    /// </summary>
    public static long AfterWarmUp(Action step, int runs = 10)
    {
        var warmUp = Stopwatch.StartNew();
        for (var i = 0; i < 100 || warmUp.ElapsedMilliseconds < 1000; i++)
            step();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < runs; i++)
            step();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
