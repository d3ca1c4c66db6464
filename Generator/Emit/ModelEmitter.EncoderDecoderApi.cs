using System.Linq;
using ModelGen.Generator.Model;
using ModelGen.Generator.Planning;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    internal static partial class ModelEmitter
    {
        /// <summary>
        /// The public API of an encoder–decoder model: teacher-forced Forward/ComputeLoss/ComputeGradients/TrainStep over
        /// (input sequence or vector, decoder input sequence, targets), and Encode + Step or Decode for generation.
        /// </summary>
        private static void EmitEncoderDecoderApi(CodeWriter writer, ModelSpec model, MemoryPlan plan, EncoderDecoder layout)
        {
            var sequenceInput = model.InputShape.IsSequence;
            var inputSteps = sequenceInput ? ", int inputSteps" : string.Empty;
            var inputStepsArgument = sequenceInput ? ", inputSteps" : string.Empty;
            var inputRows = sequenceInput ? "batchSize * inputSteps" : "batchSize";
            var output = Activation(plan.OutputOffset, model.OutputLayer.OutputShape);
            var lossKernel = model.Loss == LossKind.SoftmaxCrossEntropy ? "SoftmaxCrossEntropy" : "MeanSquaredError";
            var inputs = "global::System.ReadOnlySpan<float> inputs";
            var decoderInputs = "global::System.ReadOnlySpan<float> decoderInputs";

            writer.Line("/// <summary>");
            writer.Line("/// The recurrent state carried between decoder steps (every recurrent layer's hidden state for MaxBatchSize");
            writer.Line("/// examples, then the LSTM cell state). <see cref=\"Encode\"/> sets the decoder's part; <see cref=\"Step\"/> advances it.");
            writer.Line("/// </summary>");
            writer.Line("public " + Span + " RecurrentState => _carry;");
            writer.Line();

            writer.Line("/// <summary>");
            writer.Line("/// Teacher-forced inference: encodes <paramref name=\"inputs\"/> ([batch]" + (sequenceInput ? "[step]" : string.Empty) + "[InputSize]), then runs the decoder over");
            writer.Line("/// <paramref name=\"decoderInputs\"/> ([batch][step][DecoderInputSize], usually the start token then the target shifted");
            writer.Line("/// by one) and writes one output row per decoder step to <paramref name=\"outputs\"/> ([batch][step][OutputSize]).");
            writer.Line("/// </summary>");
            writer.Open("public void Forward(" + inputs + ", " + decoderInputs + ", " + Span + " outputs, int batchSize" + inputSteps + ", int outputSteps)");
            EmitTeacherForcedRun(writer, model, layout, "outputs", false);
            writer.Line("var steps = outputSteps;");
            EmitOutputCopy(writer, model.OutputLayer.OutputShape, Slice("_activations", plan.OutputOffset, "batchSize * steps * OutputSize"), "outputs");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>The teacher-forced loss on a mini-batch in inference mode (dropout off), averaged over every output step; gradients untouched.</summary>");
            writer.Open("public float ComputeLoss(" + inputs + ", " + decoderInputs + ", " + ReadOnlySpan + " targets, int batchSize" + inputSteps + ", int outputSteps)");
            EmitTeacherForcedRun(writer, model, layout, "targets", false);
            writer.Line("return OutputLoss(targets, batchSize, outputSteps);");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>A teacher-forced training pass and back-propagation through the decoder and then the encoder: fills <see cref=\"Gradients\"/>, returns the loss.</summary>");
            writer.Open("public float ComputeGradients(" + inputs + ", " + decoderInputs + ", " + ReadOnlySpan + " targets, int batchSize" + inputSteps + ", int outputSteps)");
            EmitTeacherForcedRun(writer, model, layout, "targets", true);
            writer.Line("var loss = OutputLoss(targets, batchSize, outputSteps);");
            writer.Line("RunDecoderBackward(batchSize, outputSteps);");
            writer.Line("RunEncoderBackward(batchSize" + (sequenceInput ? ", _encoderSteps" : string.Empty) + ");");
            writer.Line("return loss;");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>One teacher-forced training step: forward, BPTT through decoder and encoder, then <paramref name=\"optimizer\"/> updates <see cref=\"Parameters\"/>. Returns the loss before the update.</summary>");
            writer.Open("public float TrainStep(" + inputs + ", " + decoderInputs + ", " + ReadOnlySpan + " targets, int batchSize" + inputSteps + ", int outputSteps, global::ModelGen.Optimizers.Optimizer optimizer)");
            writer.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
            writer.Line("var loss = ComputeGradients(inputs, decoderInputs, targets, batchSize" + inputStepsArgument + ", outputSteps);");
            writer.Line("optimizer.Step(_parameters.Span, _gradients);");
            writer.Line("return loss;");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Computes the loss of the last teacher-forced forward pass against <paramref name=\"targets\"/> ([batch][step][OutputSize]) and back-propagates it.</summary>");
            writer.Open("public float Backward(" + ReadOnlySpan + " targets)");
            writer.Line("var batchSize = _forwardBatchSize;");
            writer.Open("if (batchSize == 0)");
            writer.Line("throw new global::System.InvalidOperationException(\"Backward needs a teacher-forced forward pass first: call Forward or ComputeGradients (Encode, Step and Decode do not keep what BPTT needs).\");");
            writer.Close();
            if (model.Layers.Any(layer => layer is NormalizationSpec { IsBatch: true }))
            {
                writer.Open("if (!_trainingPass)");
                writer.Line("throw new global::System.InvalidOperationException(\"Backward through BatchNorm needs the batch statistics of a training pass: call ComputeGradients or TrainStep.\");");
                writer.Close();
            }

            writer.Line(Guard + "Length(targets.Length, batchSize * _forwardSteps, OutputSize, nameof(targets));");
            writer.Line("var loss = OutputLoss(targets, batchSize, _forwardSteps);");
            writer.Line("RunDecoderBackward(batchSize, _forwardSteps);");
            writer.Line("RunEncoderBackward(batchSize" + (sequenceInput ? ", _encoderSteps" : string.Empty) + ");");
            writer.Line("return loss;");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Encodes <paramref name=\"inputs\"/> in inference mode and sets the decoder's state from it; then call <see cref=\"Step\"/> once per output token.</summary>");
            writer.Open("public void Encode(" + inputs + ", int batchSize" + inputSteps + ")");
            writer.Line(Guard + "BatchSize(batchSize, MaxBatchSize);");
            if (sequenceInput)
            {
                writer.Line(Guard + "Steps(inputSteps, MaxSequenceLength, nameof(inputSteps));");
            }

            writer.Line(Guard + "Length(inputs.Length, " + inputRows + ", InputSize, nameof(inputs));");
            EmitTokenCheck(writer, model, 0, "inputs");
            writer.Line("RunEncoder(inputs, batchSize" + inputStepsArgument + ", training: false);");
            writer.Line("_forwardBatchSize = 0;");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Advances the decoder one step from its carried state: one input row ([batch][DecoderInputSize]) in, one output row per example out.</summary>");
            writer.Open("public void Step(" + decoderInputs + ", " + Span + " outputs, int batchSize)");
            writer.Line(Guard + "BatchSize(batchSize, MaxBatchSize);");
            writer.Line(Guard + "Length(decoderInputs.Length, batchSize, DecoderInputSize, nameof(decoderInputs));");
            writer.Line(Guard + "Length(outputs.Length, batchSize, OutputSize, nameof(outputs));");
            EmitTokenCheck(writer, model, layout.DecoderIndex + 1, "decoderInputs");
            writer.Line("RunDecoder(decoderInputs, batchSize, 1, training: false);");
            writer.Line("_forwardBatchSize = 0;");
            writer.Line(Slice("_activations", plan.OutputOffset, "batchSize * OutputSize") + ".CopyTo(outputs);");
            writer.Close();
            writer.Line();

            EmitDecode(writer, model, plan, layout, inputs, inputSteps, inputStepsArgument);

            writer.Open("private float OutputLoss(" + ReadOnlySpan + " targets, int batchSize, int steps)");
            writer.Line("var rows = batchSize * steps;");
            writer.Line("var ordered = _targets.Slice(0, rows * OutputSize);");
            writer.Line("global::ModelGen.Kernels.Sequences.ToTimeMajor(targets, ordered, batchSize, steps, OutputSize);");
            writer.Line("return global::ModelGen.Kernels.Losses." + lossKernel + "(" + output + ", ordered, " + Slice("_deltaA", 0, "rows * OutputSize") + ", rows, OutputSize);");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Restarts the dropout masks' random sequence, e.g. to replay the same masks.</summary>");
            writer.Line("public void SeedDropout(int seed) => _dropoutRng.Reseed(unchecked((ulong)seed) ^ 0x9E3779B97F4A7C15UL);");
            writer.Line();
        }

        /// <summary>
        /// Greedy decoding, emitted when the decoder's input can be the previous output token: a one-hot input over the
        /// output classes, or a token id read by an embedding that knows every output token.
        /// </summary>
        private static void EmitDecode(CodeWriter writer, ModelSpec model, MemoryPlan plan, EncoderDecoder layout, string inputs, string inputSteps, string inputStepsArgument)
        {
            if (!CanDecode(model, layout, out var oneHot, out var vocabulary))
            {
                return;
            }

            writer.Line("/// <summary>");
            writer.Line("/// Greedy decoding: encodes <paramref name=\"inputs\"/>, then feeds <paramref name=\"startToken\"/> and each most likely token back");
            writer.Line("/// into the decoder until every example has emitted <paramref name=\"endToken\"/> or <paramref name=\"tokens\"/>' rows are full.");
            writer.Line("/// <paramref name=\"tokens\"/> receives [batch][maximum length] token ids (the end token, then end tokens to the row's end);");
            writer.Line("/// <paramref name=\"lengths\"/> receives each example's token count before its end token (the maximum length if none).");
            writer.Line("/// </summary>");
            writer.Open("public void Decode(" + inputs + ", global::System.Span<int> tokens, global::System.Span<int> lengths, int batchSize" + inputSteps + ", int startToken, int endToken)");
            writer.Line(Guard + "BatchSize(batchSize, MaxBatchSize);");
            writer.Line("var maxLength = global::ModelGen.Kernels.GreedyDecoding.Validate(tokens.Length, lengths.Length, batchSize, startToken, endToken, " + Int(vocabulary) + ", OutputSize);");
            writer.Line("Encode(inputs, batchSize" + inputStepsArgument + ");");
            writer.Line("var next = _decoderStep.Slice(0, batchSize * DecoderInputSize);");
            writer.Line("global::ModelGen.Kernels.GreedyDecoding.Start(lengths);");
            writer.Line("global::ModelGen.Kernels.GreedyDecoding.Feed(tokens, -1, maxLength, startToken, next, batchSize, DecoderInputSize, oneHot: " + (oneHot ? "true" : "false") + ");");
            writer.Line("var step = 0;");
            writer.Open("while (step < maxLength)");
            writer.Line("RunDecoder(next, batchSize, 1, training: false);");
            writer.Line("var running = global::ModelGen.Kernels.GreedyDecoding.Pick(" + Slice("_activations", plan.OutputOffset, "batchSize * OutputSize") + ", tokens, lengths, step, maxLength, batchSize, OutputSize, endToken);");
            writer.Line("step++;");
            writer.Open("if (running == 0)");
            writer.Line("break;");
            writer.Close();
            writer.Line("global::ModelGen.Kernels.GreedyDecoding.Feed(tokens, step - 1, maxLength, startToken, next, batchSize, DecoderInputSize, oneHot: " + (oneHot ? "true" : "false") + ");");
            writer.Close();
            writer.Line("_forwardBatchSize = 0;");
            writer.Line("global::ModelGen.Kernels.GreedyDecoding.Finish(tokens, lengths, step, maxLength, batchSize, endToken);");
            writer.Close();
            writer.Line();
        }

        /// <summary>True when the decoder can read its own previous output: softmax outputs fed back one-hot or as an embedded token id.</summary>
        private static bool CanDecode(ModelSpec model, EncoderDecoder layout, out bool oneHot, out int vocabulary)
        {
            var decoderInput = model.Layers[layout.DecoderIndex].OutputShape.Size;
            var outputSize = model.OutputLayer.OutputShape.Size;
            var embedding = model.Layers[layout.DecoderIndex + 1] as EmbeddingSpec;
            oneHot = embedding is null && decoderInput == outputSize;
            vocabulary = embedding?.Vocabulary ?? decoderInput;
            return model.Loss == LossKind.SoftmaxCrossEntropy && (oneHot || (embedding is not null && embedding.Vocabulary >= outputSize));
        }

        private static void EmitEncoderDecoderConstants(CodeWriter writer, ModelSpec model, EncoderDecoder layout)
        {
            if (model.InputShape.IsSequence)
            {
                writer.Line("/// <summary>The longest input sequence the encoder's buffers are sized for; inputs hold InputSize floats per step.</summary>");
                writer.Line("public const int MaxSequenceLength = " + Int(model.InputShape.Steps) + ";");
                writer.Line();
            }

            var decoder = model.Layers[layout.DecoderIndex].OutputShape;
            writer.Line("/// <summary>Floats per decoder input step (the previous token: one-hot, or its id for an embedding).</summary>");
            writer.Line("public const int DecoderInputSize = " + Int(decoder.Size) + ";");
            writer.Line();
            writer.Line("/// <summary>The longest output sequence the decoder's buffers are sized for (teacher-forced passes; Decode may run longer).</summary>");
            writer.Line("public const int MaxOutputLength = " + Int(decoder.Steps) + ";");
            writer.Line();
        }

        private static void EmitEncoderDecoderFields(CodeWriter writer, ModelSpec model, EncoderDecoder layout)
        {
            writer.Line("private int _forwardSteps;");
            if (model.InputShape.IsSequence)
            {
                writer.Line("private int _encoderSteps;");
            }

            writer.Line("private readonly global::ModelGen.AlignedBuffer _targets = new(" + Int(model.MaxBatchSize * model.OutputLayer.OutputShape.Capacity) + "); // targets, time-major");
            EmitSequenceMembers(writer, model);
            if (CanDecode(model, layout, out _, out _))
            {
                writer.Line("private readonly global::ModelGen.AlignedBuffer _decoderStep = new(" + Int(model.MaxBatchSize * model.Layers[layout.DecoderIndex].OutputShape.Size) + "); // greedy decoding: the fed-back tokens");
            }
        }

        /// <summary>The checks of every argument, then the encoder and the decoder over a teacher-forced batch.</summary>
        private static void EmitTeacherForcedRun(CodeWriter writer, ModelSpec model, EncoderDecoder layout, string second, bool training)
        {
            var sequenceInput = model.InputShape.IsSequence;
            EmitEncoderDecoderGuards(writer, model, layout, second, sequenceInput ? "batchSize * inputSteps" : "batchSize", sequenceInput);
            var mode = training ? "true" : "false";
            writer.Line("RunEncoder(inputs, batchSize" + (sequenceInput ? ", inputSteps" : string.Empty) + ", training: " + mode + ");");
            writer.Line("RunDecoder(decoderInputs, batchSize, outputSteps, training: " + mode + ");");
        }

        private static void EmitEncoderDecoderGuards(CodeWriter writer, ModelSpec model, EncoderDecoder layout, string second, string inputRows, bool sequenceInput)
        {
            writer.Line(Guard + "BatchSize(batchSize, MaxBatchSize);");
            if (sequenceInput)
            {
                writer.Line(Guard + "Steps(inputSteps, MaxSequenceLength, nameof(inputSteps));");
            }

            writer.Line(Guard + "OutputSteps(outputSteps, MaxOutputLength);");
            writer.Line(Guard + "Length(inputs.Length, " + inputRows + ", InputSize, nameof(inputs));");
            writer.Line(Guard + "Length(decoderInputs.Length, batchSize * outputSteps, DecoderInputSize, nameof(decoderInputs));");
            writer.Line(Guard + "Length(" + second + ".Length, batchSize * outputSteps, OutputSize, nameof(" + second + "));");
            EmitTokenCheck(writer, model, 0, "inputs");
            EmitTokenCheck(writer, model, layout.DecoderIndex + 1, "decoderInputs");
        }

        private static void EmitTokenCheck(CodeWriter writer, ModelSpec model, int index, string span)
        {
            if (index < model.Layers.Count && model.Layers[index] is EmbeddingSpec embedding)
            {
                writer.Line("global::ModelGen.Kernels.Embedding.ValidateTokens(" + span + ", " + Int(embedding.Vocabulary) + ");");
            }
        }
    }
}
