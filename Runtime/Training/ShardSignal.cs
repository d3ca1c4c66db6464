namespace ModelGen.Training;

/// <summary>
/// An auto-reset signal between shard threads that never allocates: a short spin, then a monitor wait on a lock
/// object created up front. (ManualResetEventSlim and CountdownEvent create their lock object the first time a
/// wait has to block, which would put a managed allocation in the middle of a training step.)
/// </summary>
internal sealed class ShardSignal
{
    private const int SpinIterations = 4000;

    private readonly object _gate = new();
    private bool _set;

    public void Set()
    {
        lock (_gate)
        {
            _set = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until <see cref="Set"/> has been called, then clears the signal.</summary>
    public void WaitAndReset()
    {
        // Spin first (up to some tens of µs): a shard's partner usually finishes within that, and waking a blocked
        // thread costs more than a short step takes.
        for (var i = 0; i < SpinIterations && !Volatile.Read(ref _set); i++)
        {
            Thread.SpinWait(20);
        }

        lock (_gate)
        {
            while (!_set)
            {
                Monitor.Wait(_gate);
            }

            _set = false;
        }
    }
}
