using System.Linq;
using ModelGen.Generator.Model;
using ModelGen.Generator.Planning;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    internal static partial class ModelEmitter
    {
        private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
        private const string Span = "global::System.Span<float>";

        /// <summary>The public API of a model whose input is a sequence: every call takes the number of steps.</summary>
        private static void EmitSequenceApi(CodeWriter writer, ModelSpec model, MemoryPlan plan)
        {
            var outputShape = model.OutputLayer.OutputShape;
            var outputRows = outputShape.IsSequence ? "batchSize * steps" : "batchSize";
            var output = Activation(plan.OutputOffset, outputShape);
            var lossKernel = model.Loss == LossKind.SoftmaxCrossEntropy ? "SoftmaxCrossEntropy" : "MeanSquaredError";
            var embedding = model.Layers[0] as EmbeddingSpec;
            var bidirectional = model.Layers.OfType<RecurrentSpec>().Any(layer => layer.Bidirectional);

            writer.Line("/// <summary>");
            writer.Line("/// When true, each call starts from the recurrent state the previous call ended with (stateful training of");
            writer.Line("/// long sequences in chunks: truncated BPTT with the state carried over); when false (default) every call");
            writer.Line("/// starts from zeros. Gradients never flow across calls. Bidirectional layers' reverse direction always starts from zeros.");
            writer.Line("/// </summary>");
            writer.Line("public bool CarryState { get; set; }");
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// Truncated BPTT: back-propagate through at most this many of the last steps of each call (k2 of TBPTT(k1, k2),");
            writer.Line("/// k1 being the length of the chunks you pass). 0 (default) back-propagates through the whole sequence.");
            writer.Line("/// </summary>");
            writer.Open("public int BackpropSteps");
            writer.Line("get => _backpropSteps;");
            writer.Line("set => _backpropSteps = value >= 0 ? value : throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"BackpropSteps must be 0 (all steps) or positive.\");");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Forgets the carried recurrent state: the next stateful call or Step starts from zeros.</summary>");
            writer.Line("public void ResetState() => _carry.Span.Clear();");
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// The recurrent state carried between calls (every recurrent layer's hidden state for MaxBatchSize examples, then");
            writer.Line("/// the LSTM cell state): copy it out and back to save and restore a stream, e.g. while sampling.");
            writer.Line("/// </summary>");
            writer.Line("public " + Span + " RecurrentState => _carry;");
            writer.Line();

            EmitSequenceMembers(writer, model);

            writer.Line("/// <summary>Runs one sequence (its length is input.Length / InputSize steps) through the model in inference mode.</summary>");
            writer.Open("public void Forward(" + ReadOnlySpan + " input, " + Span + " output)");
            writer.Line("var steps = input.Length / InputSize;");
            writer.Line(Guard + "Steps(steps, MaxSequenceLength);");
            writer.Line("Forward(input, output, 1, steps);");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Runs a mini-batch of full-length sequences (MaxSequenceLength steps) in inference mode.</summary>");
            writer.Line("public void Forward(" + ReadOnlySpan + " inputs, " + Span + " outputs, int batchSize) => Forward(inputs, outputs, batchSize, MaxSequenceLength);");
            writer.Line();

            writer.Line("/// <summary>Runs a mini-batch of sequences of <paramref name=\"steps\"/> steps, laid out [batch][step][features], in inference mode.</summary>");
            writer.Open("public void Forward(" + ReadOnlySpan + " inputs, " + Span + " outputs, int batchSize, int steps)");
            EmitSequenceGuards(writer, "outputs", outputRows, embedding);
            writer.Line("RunForward(inputs, batchSize, steps, training: false, carry: CarryState);");
            EmitOutputCopy(writer, outputShape, Slice("_activations", plan.OutputOffset, outputRows + " * OutputSize"), "outputs");
            writer.Close();
            writer.Line();

            if (!bidirectional)
            {
                writer.Line("/// <summary>Streaming inference: advances one example by one step from the carried state (see <see cref=\"ResetState\"/>).</summary>");
                writer.Line("public void Step(" + ReadOnlySpan + " input, " + Span + " output) => Step(input, output, 1);");
                writer.Line();
                writer.Line("/// <summary>Streaming inference for a batch: one step per example, from and into the carried state.</summary>");
                writer.Open("public void Step(" + ReadOnlySpan + " inputs, " + Span + " outputs, int batchSize)");
                writer.Line("const int steps = 1;");
                EmitSequenceGuards(writer, "outputs", "batchSize", embedding);
                writer.Line("RunStep(inputs, batchSize, training: false);");
                writer.Line(Slice("_activations", plan.OutputOffset, "batchSize * OutputSize") + ".CopyTo(outputs);");
                writer.Close();
                writer.Line();
            }

            writer.Line("/// <summary>");
            writer.Line("/// Computes the loss of the last forward pass against <paramref name=\"targets\"/> ([batch][step][outputs] for");
            writer.Line("/// sequence outputs, averaged over every step of every example) and back-propagates it through time.");
            writer.Line("/// </summary>");
            writer.Open("public float Backward(" + ReadOnlySpan + " targets)");
            writer.Line("var batchSize = _forwardBatchSize;");
            writer.Line("var steps = _forwardSteps;");
            writer.Open("if (batchSize == 0)");
            writer.Line("throw new global::System.InvalidOperationException(\"Backward needs a forward pass first: call Forward or ComputeGradients.\");");
            writer.Close();
            writer.Line(Guard + "Length(targets.Length, " + outputRows + ", OutputSize, nameof(targets));");
            writer.Line("var loss = OutputLoss(targets, batchSize, steps);");
            writer.Line("RunBackward(batchSize, steps);");
            writer.Line("return loss;");
            writer.Close();
            writer.Line();

            foreach (var withSteps in new[] { false, true })
            {
                var parameters = withSteps ? ", int steps" : string.Empty;
                var forward = withSteps ? string.Empty : "const int steps = MaxSequenceLength;";
                writer.Line("/// <summary>The loss on a mini-batch in inference mode (dropout off), without touching the gradients.</summary>");
                writer.Open("public float ComputeLoss(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize" + parameters + ")");
                if (!withSteps)
                {
                    writer.Line(forward);
                }

                EmitSequenceGuards(writer, "targets", outputRows, embedding);
                writer.Line("RunForward(inputs, batchSize, steps, training: false, carry: CarryState);");
                writer.Line("return OutputLoss(targets, batchSize, steps);");
                writer.Close();
                writer.Line();

                writer.Line("/// <summary>A training-mode forward pass and back-propagation through time: fills <see cref=\"Gradients\"/>, returns the loss.</summary>");
                writer.Open("public float ComputeGradients(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize" + parameters + ")");
                if (!withSteps)
                {
                    writer.Line(forward);
                }

                EmitSequenceGuards(writer, "targets", outputRows, embedding);
                writer.Line("RunForward(inputs, batchSize, steps, training: true, carry: CarryState);");
                writer.Line("var loss = OutputLoss(targets, batchSize, steps);");
                writer.Line("RunBackward(batchSize, steps);");
                writer.Line("return loss;");
                writer.Close();
                writer.Line();

                writer.Line("/// <summary>One training step: forward, BPTT, then <paramref name=\"optimizer\"/> updates <see cref=\"Parameters\"/>. Returns the loss before the update.</summary>");
                writer.Open("public float TrainStep(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize" + parameters + ", global::ModelGen.Optimizers.Optimizer optimizer)");
                writer.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
                writer.Line("var loss = ComputeGradients(inputs, targets, batchSize" + (withSteps ? ", steps" : string.Empty) + ");");
                writer.Line("optimizer.Step(_parameters.Span, _gradients);");
                writer.Line("return loss;");
                writer.Close();
                writer.Line();
            }

            writer.Open("private float OutputLoss(" + ReadOnlySpan + " targets, int batchSize, int steps)");
            if (outputShape.IsSequence)
            {
                writer.Line("var rows = batchSize * steps;");
                writer.Line("var ordered = _targets.Slice(0, rows * OutputSize);");
                writer.Line("global::ModelGen.Kernels.Sequences.ToTimeMajor(targets, ordered, batchSize, steps, OutputSize);");
                writer.Line("return global::ModelGen.Kernels.Losses." + lossKernel + "(" + output + ", ordered, " + Slice("_deltaA", 0, "rows * OutputSize") + ", rows, OutputSize);");
            }
            else
            {
                writer.Line("return global::ModelGen.Kernels.Losses." + lossKernel + "(" + output + ", targets, " + Slice("_deltaA", 0, "batchSize * OutputSize") + ", batchSize, OutputSize);");
            }

            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Restarts the dropout masks' random sequence, e.g. to replay the same masks.</summary>");
            writer.Line("public void SeedDropout(int seed) => _dropoutRng.Reseed(unchecked((ulong)seed) ^ 0x9E3779B97F4A7C15UL);");
            writer.Line();
        }

        private static void EmitSequenceMembers(CodeWriter writer, ModelSpec model)
        {
            var carry = model.Layers.OfType<RecurrentSpec>().Sum(rnn => RecurrentEmitter.CarryLength(rnn, model.MaxBatchSize));
            writer.Line("private readonly global::ModelGen.AlignedBuffer _carry = new(" + Int(carry) + "); // recurrent state carried between calls");
            writer.Line();
        }

        private static void EmitSequenceGuards(CodeWriter writer, string second, string secondRows, EmbeddingSpec? embedding)
        {
            writer.Line(Guard + "BatchSize(batchSize, MaxBatchSize);");
            writer.Line(Guard + "Steps(steps, MaxSequenceLength);");
            writer.Line(Guard + "Length(inputs.Length, batchSize * steps, InputSize, nameof(inputs));");
            writer.Line(Guard + "Length(" + second + ".Length, " + secondRows + ", OutputSize, nameof(" + second + "));");
            if (embedding is not null)
            {
                writer.Line("global::ModelGen.Kernels.Embedding.ValidateTokens(inputs, " + Int(embedding.Vocabulary) + ");");
            }
        }

        private static void EmitOutputCopy(CodeWriter writer, Shape outputShape, string output, string destination)
        {
            writer.Line(outputShape.IsSequence
                ? "global::ModelGen.Kernels.Sequences.ToBatchMajor(" + output + ", " + destination + ", batchSize, steps, OutputSize);"
                : output + ".CopyTo(" + destination + ");");
        }
    }
}
