using ModelGen.Optimizers;

namespace ModelGen.Bench;

/// <summary>How a workload's time is quoted.</summary>
public enum TimeUnit
{
    Microseconds,
    Milliseconds,
}

/// <summary>
/// One benchmark workload of docs/benchmarks.md: fixed seeds, random data, buffers allocated once, and a
/// <see cref="Run"/> that does exactly one measured call (one example, one time step or one training step).
/// </summary>
/// <remarks>
/// FLOP counts are analytic and count only multiply-adds of the matrix products (2 FLOPs each); activations,
/// softmax, pooling, bias additions and optimizer updates are left out (they are O(size) rather than O(size²)
/// and below 3% of the total for every workload here). With <c>G(m, n, k) = 2·m·n·k</c> for an m×k by k×n
/// product, a dense layer in → out over b rows costs <c>G(b, out, in)</c> forward, the same again for the weight
/// gradient and the same again for the input gradient, which is skipped for the first layer (nothing needs it).
/// </remarks>
public abstract class Workload
{
    /// <summary>G(m, n, k): FLOPs of an m×k by k×n matrix product.</summary>
    protected static double G(double m, double n, double k) => 2 * m * n * k;

    /// <summary>The id used in the table and the JSON (W1, W3-H32, W6-train, ...).</summary>
    public abstract string Id { get; }

    /// <summary>What is measured, for the table.</summary>
    public abstract string Description { get; }

    /// <summary>The unit its time is quoted in.</summary>
    public abstract TimeUnit Unit { get; }

    /// <summary>Analytic FLOPs of one <see cref="Run"/>.</summary>
    public abstract double Flops { get; }

    /// <summary>
    /// Bytes of weights one <see cref="Run"/> streams from cache when each is used once (batch-1 inference: all the
    /// model's parameters); 0 where the workload reuses them across a batch and arithmetic bounds it instead.
    /// </summary>
    public virtual double WeightBytes => 0;

    /// <summary>One measured call.</summary>
    public abstract void Run();

    /// <summary>Random floats in [-1, 1).</summary>
    protected internal static float[] Uniform(Rng rng, int count)
    {
        var data = new float[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = rng.NextFloat() * 2 - 1;
        }

        return data;
    }

    /// <summary><paramref name="rows"/> one-hot rows of width <paramref name="classes"/>, classes drawn at random.</summary>
    protected internal static float[] OneHot(Rng rng, int rows, int classes)
    {
        var data = new float[rows * classes];
        for (var r = 0; r < rows; r++)
        {
            data[(r * classes) + rng.NextInt(classes)] = 1;
        }

        return data;
    }

    /// <summary>Every workload, in table order.</summary>
    public static IReadOnlyList<Workload> All() =>
    [
        new MlpInference(),
        new MlpTraining(),
        new LstmStreaming32(),
        new LstmStreaming128(),
        new LstmTraining(),
        new GruCharTraining(),
        new CnnTraining(),
        new CnnInference(),
    ];
}

/// <summary>
/// W1: MLP 784 → 128 ReLU → 10 softmax, batch 1 inference, through the model's predictor (dense weights packed at
/// creation). FLOPs = G(1,128,784) + G(1,10,128).
/// </summary>
public sealed class MlpInference : Workload
{
    private readonly MlpNet.Predictor _predictor = new MlpNet(seed: 1).CreatePredictor();
    private readonly float[] _input = Uniform(new Rng(11), MlpNet.InputSize);
    private readonly float[] _output = new float[MlpNet.OutputSize];

    public override string Id => "W1";
    public override string Description => "MLP inference, batch 1";
    public override TimeUnit Unit => TimeUnit.Microseconds;
    public override double Flops => G(1, 128, 784) + G(1, 10, 128);
    public override double WeightBytes => MlpNet.ParameterCount * sizeof(float);
    public override void Run() => _predictor.Forward(_input, _output);
}

/// <summary>
/// W2: the same MLP, one SGD (lr 0.01) step on a batch of 32 with softmax cross-entropy.
/// FLOPs = 2·[G(32,128,784) + G(32,10,128)] (forward + weight gradients) + G(32,128,10) (input gradient of layer 2).
/// </summary>
public sealed class MlpTraining : Workload
{
    private const int Batch = 32;
    private readonly MlpNet _model = new(seed: 1);
    private readonly Sgd _optimizer = new(learningRate: 0.01f);
    private readonly float[] _inputs = Uniform(new Rng(12), Batch * MlpNet.InputSize);
    private readonly float[] _targets = OneHot(new Rng(13), Batch, MlpNet.OutputSize);

    public override string Id => "W2";
    public override string Description => "MLP training step, batch 32, SGD";
    public override TimeUnit Unit => TimeUnit.Microseconds;
    public override double Flops => (2 * (G(Batch, 128, 784) + G(Batch, 10, 128))) + G(Batch, 128, 10);
    public override void Run() => _model.TrainStep(_inputs, _targets, Batch, _optimizer);
}

/// <summary>
/// W3: LSTM(1 → H) + Dense(H → 1), one streaming time step (state carried), batch 1.
/// FLOPs = G(1, 4H, 1 + H) (the four gates from [x; h]) + G(1, 1, H). Runs through the model's predictor (at H = 128
/// its W_hh packed block-major at creation; H = 32 runs the model's own step kernel).
/// </summary>
public abstract class LstmStreaming : Workload
{
    protected abstract int Hidden { get; }
    public override string Description => $"LSTM {Hidden} streaming step, batch 1";
    public override TimeUnit Unit => TimeUnit.Microseconds;
    public override double Flops => G(1, 4 * Hidden, 1 + Hidden) + G(1, 1, Hidden);
}

public sealed class LstmStreaming32 : LstmStreaming
{
    private readonly StreamingLstm32.Predictor _predictor = new StreamingLstm32(seed: 1).CreatePredictor();
    private readonly float[] _input = [0.5f];
    private readonly float[] _output = new float[1];

    protected override int Hidden => 32;
    public override string Id => "W3-H32";
    public override double WeightBytes => StreamingLstm32.ParameterCount * sizeof(float);
    public override void Run() => _predictor.Step(_input, _output);
}

public sealed class LstmStreaming128 : LstmStreaming
{
    private readonly StreamingLstm128.Predictor _predictor = new StreamingLstm128(seed: 1).CreatePredictor();
    private readonly float[] _input = [0.5f];
    private readonly float[] _output = new float[1];

    protected override int Hidden => 128;
    public override string Id => "W3-H128";
    public override double WeightBytes => StreamingLstm128.ParameterCount * sizeof(float);
    public override void Run() => _predictor.Step(_input, _output);
}

/// <summary>
/// W4: LSTM(1 → 64) over T = 50 steps, batch B = 32, last state → Dense(64 → 1), MSE, Adam 1e-3.
/// FLOPs = T·[2·G(B, 4H, 1 + H) (forward + weight gradients) + G(B, H, 4H) (gradient w.r.t. h)] + 3·G(B, 1, H).
/// </summary>
public sealed class LstmTraining : Workload
{
    private const int Batch = 32, Steps = 50, Hidden = 64;
    private readonly LstmRegressor _model = new(seed: 1);
    private readonly Adam _optimizer = new(learningRate: 1e-3f);
    private readonly float[] _inputs = Uniform(new Rng(21), Batch * Steps);
    private readonly float[] _targets = Uniform(new Rng(22), Batch);

    public override string Id => "W4";
    public override string Description => "LSTM 64 training step, T 50, batch 32, Adam";
    public override TimeUnit Unit => TimeUnit.Milliseconds;
    public override double Flops =>
        (Steps * ((2 * G(Batch, 4 * Hidden, 1 + Hidden)) + G(Batch, Hidden, 4 * Hidden))) + (3 * G(Batch, 1, Hidden));
    public override void Run() => _model.TrainStep(_inputs, _targets, Batch, _optimizer);
}

/// <summary>
/// W5: one-hot characters (V = 65) → GRU(H = 128) over T = 64 steps, batch B = 16, Dense(128 → 65) per step,
/// cross-entropy, Adam. The one-hot input's projection and weight gradient are gathers in ModelGen (one
/// multiply-add per gate and row, counted as G(B, 3H, 1)); PyTorch computes them as dense products over V inputs, which
/// builds before 298924f counted too (T·2·G(B, 3H, V) more: the GFLOP/s and limit columns moved with it).
/// FLOPs = T·[2·G(B, 3H, H + 1) (forward + weight gradients) + G(B, H, 3H) (gradient w.r.t. h)
///           + 3·G(B, V, H) (output layer: forward, weight and input gradients)].
/// </summary>
public sealed class GruCharTraining : Workload
{
    private const int Batch = 16, Steps = 64, Hidden = 128, Vocabulary = 65;
    private readonly CharGru _model = new(seed: 1);
    private readonly Adam _optimizer = new(learningRate: 1e-3f);
    private readonly float[] _inputs = OneHot(new Rng(31), Batch * Steps, Vocabulary);
    private readonly float[] _targets = OneHot(new Rng(32), Batch * Steps, Vocabulary);

    public override string Id => "W5";
    public override string Description => "GRU 128 char model training step, T 64, batch 16, Adam";
    public override TimeUnit Unit => TimeUnit.Milliseconds;
    public override double Flops =>
        Steps * ((2 * G(Batch, 3 * Hidden, Hidden + 1)) + G(Batch, Hidden, 3 * Hidden) + (3 * G(Batch, Vocabulary, Hidden)));
    public override void Run() => _model.TrainStep(_inputs, _targets, Batch, _optimizer);
}

/// <summary>FLOPs of the shapes CNN's forward pass for b examples: conv as G(b·18·18, 32, 9), then the dense layers.</summary>
internal static class ShapesFlops
{
    public static double Conv(int b) => 2.0 * b * 18 * 18 * 32 * 9;
    public static double Dense1(int b) => 2.0 * b * 64 * 2592;
    public static double Dense2(int b) => 2.0 * b * 3 * 64;
}

/// <summary>
/// W6-train: shapes CNN, one Adam step on a batch of 32, cross-entropy.
/// FLOPs = 2·(conv + dense1 + dense2) (forward + weight gradients) + dense1 + dense2 (input gradients; the conv
/// layer's input gradient is not needed).
/// </summary>
public sealed class CnnTraining : Workload
{
    private const int Batch = 32;
    private readonly ShapesCnn _model = new(seed: 1);
    private readonly Adam _optimizer = new(learningRate: 1e-3f);
    private readonly float[] _inputs = Uniform(new Rng(41), Batch * ShapesCnn.InputSize);
    private readonly float[] _targets = OneHot(new Rng(42), Batch, ShapesCnn.OutputSize);

    public override string Id => "W6-train";
    public override string Description => "shapes CNN training step, batch 32, Adam";
    public override TimeUnit Unit => TimeUnit.Milliseconds;
    public override double Flops =>
        (2 * (ShapesFlops.Conv(Batch) + ShapesFlops.Dense1(Batch) + ShapesFlops.Dense2(Batch))) + ShapesFlops.Dense1(Batch) + ShapesFlops.Dense2(Batch);
    public override void Run() => _model.TrainStep(_inputs, _targets, Batch, _optimizer);
}

/// <summary>
/// W6-infer: shapes CNN, batch 1 inference, through the model's predictor (dense weights packed at creation, as ONNX
/// Runtime packs them when it creates a session). FLOPs = conv + dense1 + dense2 for one example.
/// </summary>
public sealed class CnnInference : Workload
{
    private readonly ShapesCnn.Predictor _predictor = new ShapesCnn(seed: 1).CreatePredictor();
    private readonly float[] _input = Uniform(new Rng(43), ShapesCnn.InputSize);
    private readonly float[] _output = new float[ShapesCnn.OutputSize];

    public override string Id => "W6-infer";
    public override string Description => "shapes CNN inference, batch 1";
    public override TimeUnit Unit => TimeUnit.Microseconds;
    public override double Flops => ShapesFlops.Conv(1) + ShapesFlops.Dense1(1) + ShapesFlops.Dense2(1);
    public override double WeightBytes => ShapesCnn.ParameterCount * sizeof(float);
    public override void Run() => _predictor.Forward(_input, _output);
}
