using ModelGen.Kernels;

namespace ModelGen.Training;

/// <summary>
/// Data-parallel mini-batch training over the cores: one replica of a generated model per worker, each computing the
/// gradient of a contiguous shard of the mini-batch on its own thread; the shard gradients (and losses) are then
/// averaged, weighted by shard size, into the first replica, <see cref="Model"/>, which the optimizer updates. The
/// result is the gradient of the whole mini-batch (up to float rounding), except that batch normalization normalizes
/// each shard with its own statistics (as PyTorch's DistributedDataParallel does without SyncBatchNorm); running
/// statistics are averaged over the replicas after each training pass.
/// <para>
/// Implements <see cref="IModel"/>, so a <see cref="Trainer"/> or a hand-written loop uses it like the model itself;
/// <see cref="MaxBatchSize"/> is the replicas' combined maximum. Every replica copies <see cref="Model"/>'s parameters
/// at the start of each pass. Opt-in, deterministic for a given worker count, allocation-free per step.
/// </para>
/// <para>
/// Each step moves the parameters to the other cores and their gradients back, so it pays when a step computes
/// much per parameter: recurrent models over long sequences (1.6–2.2× on two cores for the bench's LSTM and GRU
/// training steps), not a small MLP, whose 80 µs step over 100 k parameters got slower on two cores.
/// </para>
/// </summary>
/// <typeparam name="TModel">A generated model class.</typeparam>
public class DataParallel<TModel> : IModel, IDisposable
    where TModel : class, IModel
{
    private readonly TModel[] _replicas;
    private readonly ShardWorkers _workers;
    private readonly float[] _losses;
    private readonly int[] _offsets;
    private readonly int[] _sizes;

    // The pass in flight, read by the workers (spans cannot cross threads: the caller's data is pinned meanwhile).
    private unsafe float* _inputs;
    private unsafe float* _targets;
    private int _inputsPerExample;
    private int _targetsPerExample;
    private int _steps;
    private Pass _pass;
    private bool _reducing;
    private int _shards;
    private int _batch;

    /// <param name="createReplica">Creates replica i (e.g. <c>i =&gt; new Net(seed: i)</c>); replica 0's weights are used.</param>
    /// <param name="workers">Replicas and threads; 0 (default) uses every processor.</param>
    public DataParallel(Func<int, TModel> createReplica, int workers = 0)
    {
        ArgumentNullException.ThrowIfNull(createReplica);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        var count = workers == 0 ? Environment.ProcessorCount : workers;
        _replicas = new TModel[count];
        for (var i = 0; i < count; i++)
        {
            _replicas[i] = createReplica(i) ?? throw new ArgumentException("createReplica returned null.", nameof(createReplica));
            if (i > 0 && (_replicas[i].Parameters.Length != _replicas[0].Parameters.Length || _replicas[i].GetType() != _replicas[0].GetType()))
            {
                throw new ArgumentException("createReplica must create models of one class.", nameof(createReplica));
            }
        }

        _losses = new float[count];
        _offsets = new int[count];
        _sizes = new int[count];
        _workers = new ShardWorkers(count, RunShard);
    }

    private protected enum Pass
    {
        Gradients,
        Loss,
        Forward,
    }

    /// <summary>The replica the optimizer updates and whose weights every pass uses.</summary>
    public TModel Model => _replicas[0];

    /// <summary>Replica <paramref name="index"/> (0 is <see cref="Model"/>).</summary>
    private protected TModel Replica(int index) => _replicas[index];

    /// <summary>Replicas, each with its own thread (the caller's thread runs the first).</summary>
    public int Workers => _replicas.Length;

    public int InputSize => Model.InputSize;

    public int OutputSize => Model.OutputSize;

    /// <summary>The largest mini-batch: every replica's <see cref="IModel.MaxBatchSize"/> together.</summary>
    public int MaxBatchSize => Model.MaxBatchSize * Workers;

    public Span<float> Parameters => Model.Parameters;

    /// <summary>The gradient of the last <see cref="ComputeGradients"/> over the whole mini-batch.</summary>
    public Span<float> Gradients => Model.Gradients;

    public Span<float> State => Model.State;

    public void Save(string path) => Model.Save(path);

    public void Load(string path) => Model.Load(path);

    public string Summary() => Model.Summary();

    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize) =>
        Run(Pass.Forward, inputs, outputs, batchSize, 0);

    public float ComputeLoss(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize) =>
        Run(Pass.Loss, inputs, targets, batchSize, 0);

    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize) =>
        Run(Pass.Gradients, inputs, targets, batchSize, 0);

    public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Optimizers.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var loss = ComputeGradients(inputs, targets, batchSize);
        optimizer.Step(Model.Parameters, Model.Gradients);
        return loss;
    }

    /// <summary>Runs one pass over shards of the mini-batch; <paramref name="second"/> is the targets, or the outputs for a forward pass.</summary>
    private protected unsafe float Run(Pass pass, ReadOnlySpan<float> inputs, ReadOnlySpan<float> second, int batchSize, int steps)
    {
        ModelGuard.BatchSize(batchSize, MaxBatchSize);
        if (inputs.Length % batchSize != 0 || second.Length % batchSize != 0 || inputs.IsEmpty || second.IsEmpty)
        {
            throw new ArgumentException($"Expected the inputs ({inputs.Length} floats) and {(pass == Pass.Forward ? "outputs" : "targets")} ({second.Length} floats) to hold the same positive number of floats per example for a batch of {batchSize}.");
        }

        // Shards as even as possible; each fits its replica because batchSize ≤ Workers · MaxBatchSize.
        var shards = Math.Min(Workers, batchSize);
        for (int i = 0, offset = 0; i < shards; i++)
        {
            _offsets[i] = offset;
            _sizes[i] = (batchSize / shards) + (i < batchSize % shards ? 1 : 0);
            offset += _sizes[i];
        }

        // The replicas start from Model's parameters. This thread writes them to replica 1 with non-temporal stores:
        // the optimizer has just updated them in this core's cache, and another core pulling them from there is
        // slower than reading them from memory (W2 on two threads: 156 µs a step with a plain copy on the replica's
        // thread, 100 µs so). Replicas 2 and up copy replica 1's on their own threads (RunShard).
        if (shards > 1)
        {
            StreamingCopy.Copy(Model.Parameters, _replicas[1].Parameters);
            Model.State.CopyTo(_replicas[1].State);
        }

        fixed (float* inputPointer = inputs)
        fixed (float* secondPointer = second)
        {
            _inputs = inputPointer;
            _targets = secondPointer;
            _inputsPerExample = inputs.Length / batchSize;
            _targetsPerExample = second.Length / batchSize;
            _steps = steps;
            _pass = pass;
            try
            {
                _workers.Run(shards);
            }
            finally
            {
                _inputs = null;
                _targets = null;
            }
        }

        if (pass == Pass.Gradients && shards > 1)
        {
            // The weighted sum of the shard gradients, each thread summing one slice of the parameters.
            _shards = shards;
            _batch = batchSize;
            _reducing = true;
            try
            {
                _workers.Run(shards);
            }
            finally
            {
                _reducing = false;
            }
        }

        if (pass == Pass.Forward)
        {
            return 0f;
        }

        // Weighted by shard size, the shard means become the mini-batch mean.
        var loss = 0f;
        var state = Model.State;
        for (var i = 0; i < shards; i++)
        {
            loss += (float)_sizes[i] / batchSize * _losses[i];
        }

        if (pass == Pass.Gradients && !state.IsEmpty && shards > 1)
        {
            for (var i = 1; i < shards; i++)
            {
                Elementwise.Add(state, _replicas[i].State, state);
            }

            Elementwise.Multiply(state, 1f / shards, state);
        }

        return loss;
    }

    /// <summary>Runs one replica's pass on its shard: <paramref name="shard"/> 0 on the caller's thread.</summary>
    private unsafe void RunShard(int shard)
    {
        if (_reducing)
        {
            ReduceSlice(shard);
            return;
        }

        var model = _replicas[shard];
        if (shard > 1)
        {
            _replicas[1].Parameters.CopyTo(model.Parameters);
            _replicas[1].State.CopyTo(model.State);
        }

        int size = _sizes[shard], offset = _offsets[shard];
        var inputs = new ReadOnlySpan<float>(_inputs + ((long)offset * _inputsPerExample), size * _inputsPerExample);
        var second = new Span<float>(_targets + ((long)offset * _targetsPerExample), size * _targetsPerExample);
        _losses[shard] = RunReplica(model, _pass, inputs, second, size, _steps);
    }

    /// <summary>Slice <paramref name="part"/> of the parameters: the shard gradients, weighted by shard size, summed into <see cref="Model"/>'s.</summary>
    private void ReduceSlice(int part)
    {
        var length = Model.Gradients.Length;
        int start = (int)((long)length * part / _shards), end = (int)((long)length * (part + 1) / _shards);
        var total = Model.Gradients.Slice(start, end - start);
        Elementwise.Multiply(total, (float)_sizes[0] / _batch, total);
        for (var i = 1; i < _shards; i++)
        {
            Elementwise.MultiplyAdd(_replicas[i].Gradients.Slice(start, end - start), (float)_sizes[i] / _batch, total, total);
        }
    }

    /// <summary>One replica's pass; a sequence subclass adds the number of steps.</summary>
    private protected virtual float RunReplica(TModel model, Pass pass, ReadOnlySpan<float> inputs, Span<float> second, int batchSize, int steps)
    {
        switch (pass)
        {
            case Pass.Forward:
                model.Forward(inputs, second, batchSize);
                return 0f;
            case Pass.Loss:
                return model.ComputeLoss(inputs, second, batchSize);
            default:
                return model.ComputeGradients(inputs, second, batchSize);
        }
    }

    public void Dispose()
    {
        _workers.Dispose();
        GC.SuppressFinalize(this);
    }
}
