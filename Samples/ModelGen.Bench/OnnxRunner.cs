using Microsoft.ML.OnnxRuntime;

namespace ModelGen.Bench;

/// <summary>
/// ONNX Runtime peer for the inference workloads (W1, W3, W6-infer), on the ONNX files exported by
/// peers/pytorch_bench.py: CPU provider, one intra-op thread, all graph optimizations, sequential execution,
/// inputs and outputs pre-bound with <see cref="OrtIoBinding"/> to buffers allocated once.
/// </summary>
public sealed class OnnxRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly List<IDisposable> _owned = [];
    private readonly OrtIoBinding[] _bindings;
    private int _next;

    private OnnxRunner(string path, Func<OnnxRunner, OrtIoBinding[]> bind)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(path, options);
        _bindings = bind(this);
    }

    /// <summary>A feed-forward model: one input, one output, batch 1.</summary>
    public static OnnxRunner FeedForward(string path, long[] inputShape, long[] outputShape) => new(path, runner =>
    {
        var binding = runner.NewBinding();
        binding.BindInput("input", runner.Tensor(inputShape, 0.25f));
        binding.BindOutput("probabilities", runner.Tensor(outputShape, 0));
        return [binding];
    });

    /// <summary>
    /// A streaming LSTM step (input, h, c) → (output, h_out, c_out). The state is carried without copies by two
    /// bindings used in turn: the first reads state A and writes state B, the second reads B and writes A.
    /// </summary>
    public static OnnxRunner LstmStep(string path, int hidden) => new(path, runner =>
    {
        var input = runner.Tensor([1, 1, 1], 0.5f);
        var output = runner.Tensor([1, 1], 0);
        OrtValue hA = runner.Tensor([1, 1, hidden], 0), cA = runner.Tensor([1, 1, hidden], 0);
        OrtValue hB = runner.Tensor([1, 1, hidden], 0), cB = runner.Tensor([1, 1, hidden], 0);
        var ab = runner.NewBinding();
        ab.BindInput("input", input);
        ab.BindInput("h", hA);
        ab.BindInput("c", cA);
        ab.BindOutput("output", output);
        ab.BindOutput("h_out", hB);
        ab.BindOutput("c_out", cB);
        var ba = runner.NewBinding();
        ba.BindInput("input", input);
        ba.BindInput("h", hB);
        ba.BindInput("c", cB);
        ba.BindOutput("output", output);
        ba.BindOutput("h_out", hA);
        ba.BindOutput("c_out", cA);
        return [ab, ba];
    });

    /// <summary>One inference call (one example or one time step).</summary>
    public void Run()
    {
        var binding = _bindings[_next];
        _next = (_next + 1) % _bindings.Length;
        _session.RunWithBinding(_runOptions, binding);
    }

    private OrtIoBinding NewBinding()
    {
        var binding = _session.CreateIoBinding();
        _owned.Add(binding);
        return binding;
    }

    private OrtValue Tensor(long[] shape, float fill)
    {
        var length = 1L;
        foreach (var d in shape)
        {
            length *= d;
        }

        var data = new float[length];
        Array.Fill(data, fill);
        var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        _owned.Add(value);
        return value;
    }

    public void Dispose()
    {
        foreach (var item in _owned)
        {
            item.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }
}
