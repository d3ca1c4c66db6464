using ModelGen.Optimizers;
using ModelGen.Training;

namespace ModelGen.Bench;

/// <summary>
/// The training workloads again, with <see cref="DataParallel{TModel}"/> sharding each mini-batch over two replicas on
/// two threads (issue 7, item 5): same models, data, optimizers and FLOPs as their single-thread rows.
/// </summary>
public sealed class ParallelTraining : Workload, IDisposable
{
    private readonly Workload _single;
    private readonly DataParallel<IModel> _parallel;
    private readonly Optimizer _optimizer;
    private readonly float[] _inputs;
    private readonly float[] _targets;
    private readonly int _batch;

    public ParallelTraining(Workload single, Func<int, IModel> create, Optimizer optimizer, float[] inputs, float[] targets, int batch, int workers)
    {
        _single = single;
        _parallel = new DataParallel<IModel>(create, workers);
        _optimizer = optimizer;
        _inputs = inputs;
        _targets = targets;
        _batch = batch;
        Workers = workers;
    }

    /// <summary>The single-thread workload this row is compared with.</summary>
    public Workload Single => _single;

    public int Workers { get; }

    public override string Id => _single.Id + "-" + Workers + "t";
    public override string Description => _single.Description + ", " + Workers + " threads (data-parallel)";
    public override TimeUnit Unit => _single.Unit;
    public override double Flops => _single.Flops;
    public override void Run() => _parallel.TrainStep(_inputs, _targets, _batch, _optimizer);

    public void Dispose() => _parallel.Dispose();
}

/// <summary>The data-parallel rows, built beside their single-thread workloads.</summary>
public static class ParallelWorkloads
{
    public static IReadOnlyList<Workload> For(IEnumerable<Workload> singles, int workers)
    {
        var rows = new List<Workload>();
        foreach (var single in singles)
        {
            Workload? row = single switch
            {
                MlpTraining => new ParallelTraining(single, i => new MlpNet(seed: 1), new Sgd(learningRate: 0.01f),
                    Workload.Uniform(new Rng(12), 32 * MlpNet.InputSize), Workload.OneHot(new Rng(13), 32, MlpNet.OutputSize), 32, workers),
                LstmTraining => new ParallelTraining(single, i => new LstmRegressor(seed: 1), new Adam(learningRate: 1e-3f),
                    Workload.Uniform(new Rng(21), 32 * 50), Workload.Uniform(new Rng(22), 32), 32, workers),
                GruCharTraining => new ParallelTraining(single, i => new CharGru(seed: 1), new Adam(learningRate: 1e-3f),
                    Workload.OneHot(new Rng(31), 16 * 64, 65), Workload.OneHot(new Rng(32), 16 * 64, 65), 16, workers),
                CnnTraining => new ParallelTraining(single, i => new ShapesCnn(seed: 1), new Adam(learningRate: 1e-3f),
                    Workload.Uniform(new Rng(41), 32 * ShapesCnn.InputSize), Workload.OneHot(new Rng(42), 32, ShapesCnn.OutputSize), 32, workers),
                _ => null,
            };
            if (row is not null)
            {
                rows.Add(row);
            }
        }

        return rows;
    }
}
