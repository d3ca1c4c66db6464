namespace ModelGen.Training;

/// <summary>
/// A fixed team of background threads that each run one shard of a pass while the calling thread runs shard 0.
/// Allocation-free per run: the work is one cached delegate, and the threads wait on <see cref="ShardSignal"/>s
/// between runs. The first exception of a run is rethrown on the calling thread.
/// </summary>
internal sealed class ShardWorkers : IDisposable
{
    private readonly Action<int> _work;
    private readonly Thread[] _threads;
    private readonly ShardSignal[] _start;
    private readonly ShardSignal _done = new();
    private int _pending;
    private volatile bool _stopping;
    private Exception? _failure;

    /// <param name="count">Shards per run, the caller's included.</param>
    /// <param name="work">Runs shard i (0 on the calling thread).</param>
    public ShardWorkers(int count, Action<int> work)
    {
        _work = work;
        _threads = new Thread[count - 1];
        _start = new ShardSignal[count - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            var shard = i + 1;
            _start[i] = new ShardSignal();
            _threads[i] = new Thread(() => Loop(shard)) { IsBackground = true, Name = "ModelGen shard " + shard };
            _threads[i].Start();
        }
    }

    /// <summary>Runs shards 0..<paramref name="shards"/>−1 and returns when all have finished.</summary>
    public void Run(int shards)
    {
        _failure = null;
        Volatile.Write(ref _pending, shards - 1);
        for (var i = 0; i < shards - 1; i++)
        {
            _start[i].Set();
        }

        try
        {
            _work(0);
        }
        catch (Exception exception)
        {
            Interlocked.CompareExchange(ref _failure, exception, null);
        }

        if (shards > 1)
        {
            _done.WaitAndReset();
        }

        if (_failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    private void Loop(int shard)
    {
        var start = _start[shard - 1];
        while (true)
        {
            start.WaitAndReset();
            if (_stopping)
            {
                return;
            }

            try
            {
                _work(shard);
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref _failure, exception, null);
            }

            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Set();
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var start in _start)
        {
            start.Set();
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }

    }
}
