using System.Collections.Generic;
using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    internal static partial class ModelEmitter
    {
        /// <summary>The predictor copy's flag that a recurrent layer steps on its packed W_hh (set where the kernel's PackedStepSupported).</summary>
        public static string PackedFlag(RecurrentSpec rnn) => "_" + rnn.Name + "Packed";

        /// <summary>
        /// A recurrent layer whose streaming step a predictor runs on packed W_hh where the machine allows (the cell
        /// kernel's PackedStepSupported, less the vector width): a simple RNN, or an LSTM (plain cell) or GRU (reset
        /// after) whose H is a multiple of 32 or, from 2 on, not a multiple of 16 (the rule of RecurrentPacking.Takes).
        /// </summary>
        private static bool PacksRecurrent(RecurrentSpec rnn) =>
            !rnn.Bidirectional
            && (rnn.Cell == CellKind.Simple
                || ((rnn.Units % 32 == 0 || (rnn.Units > 1 && rnn.Units % 16 != 0))
                    && ((rnn.Cell == CellKind.Lstm && !rnn.Peepholes && !rnn.CoupledGates) || (rnn.Cell == CellKind.Gru && rnn.ResetAfter))));

        /// <summary>
        /// Floats of a recurrent layer's packed W_hh: a simple RNN's rows are padded to 16 (Linear.Pack), a gated cell's
        /// units to a multiple of 32 (RecurrentPacking.Length).
        /// </summary>
        public static int PackedRecurrentLength(RecurrentSpec rnn) =>
            rnn.Cell == CellKind.Simple ? rnn.Units * ((rnn.Units + 15) & ~15) : rnn.Gates / rnn.Units * ((rnn.Units + 31) & ~31) * rnn.Units;

        /// <summary>Floats of a dense layer's packed weights: inputs rows of its units rounded up to 16 (Linear.PackedLength).</summary>
        public static int PackedLength(DenseSpec dense) => dense.Inputs * ((dense.Units + 15) & ~15);

        /// <summary>Gives each batch-1 dense layer and streaming recurrent layer its place in a predictor's packed weights; returns their total length.</summary>
        private static int PlanPackedWeights(ModelSpec model, List<LayerContext> layers)
        {
            if (EncoderDecoder.Of(model) is not null)
            {
                return 0; // an encoder–decoder's predictor runs the model's own kernels
            }

            var length = 0;
            foreach (var layer in layers)
            {
                if (layer.Layer is RecurrentSpec rnn && HasStepPass(model) && PacksRecurrent(rnn))
                {
                    layer.PackedOffset = length;
                    length += PackedRecurrentLength(rnn);
                }

                if (layer.Layer is DenseSpec dense && !dense.InputShape.IsSequence)
                {
                    layer.PackedOffset = length;
                    length += PackedLength(dense);
                    var index = layer.Index;
                    if (index >= 3 && layers[index - 1].Layer is FlattenSpec && PoolEmitter.FusesReluBackward(model, index - 2))
                    {
                        // Conv → max pool → flatten → dense: the pooled maps can stay pixel-major (no transposition).
                        var flag = "_" + layers[index - 3].Layer.Name + "PixelMajor";
                        layers[index - 3].PixelMajorFlag = flag;
                        layer.PixelMajorFlag = flag;
                    }
                }
            }

            return length;
        }

        /// <summary>
        /// <c>CreatePredictor</c> and the <c>Predictor</c> class: an inference-only copy of the model with the batch-1
        /// dense weights packed in × out. A copy, so that no later write to the model's <c>Parameters</c> can leave the
        /// packed weights stale.
        /// </summary>
        private static void EmitPredictor(CodeWriter writer, ModelSpec model, List<LayerContext> layers, int packedLength)
        {
            var name = model.ClassName;
            if (packedLength > 0)
            {
                writer.Line("private readonly global::ModelGen.AlignedBuffer _packed; // a predictor's copy only: weights packed for batch 1");
                foreach (var layer in layers)
                {
                    if (layer.Layer is Conv2DSpec && layer.PixelMajorFlag is not null)
                    {
                        writer.Line("private readonly bool " + layer.PixelMajorFlag + "; // a predictor's copy only: " + layer.Layer.Name + " pools pixel-major at batch 1");
                    }

                    if (layer.Layer is RecurrentSpec rnn && layer.PackedOffset >= 0)
                    {
                        writer.Line("private readonly bool " + PackedFlag(rnn) + "; // a predictor's copy only: " + rnn.Name + " steps on packed W_hh at batch 1");
                    }
                }

                writer.Line();
            }

            writer.Line("/// <summary>A predictor's private copy of <paramref name=\"source\"/>: its weights and running statistics" + (packedLength > 0 ? ", and weights packed for batch 1" : string.Empty) + "; no gradient buffers.</summary>");
            writer.Open("private " + name + "(" + name + " source)");
            writer.Line("_dropoutRng = new global::ModelGen.Rng(0); // never drawn from: a predictor runs in inference mode");
            writer.Line("source._parameters.Span.CopyTo(_parameters.Span);");
            writer.Line("source._state.Span.CopyTo(_state.Span);");
            if (packedLength > 0)
            {
                writer.Open("if (global::ModelGen.Kernels.Linear.PackedSupported)");
                writer.Line("_packed = new(" + Int(packedLength) + ");");
                foreach (var layer in layers)
                {
                    if (layer.PackedOffset < 0)
                    {
                        continue;
                    }

                    if (layer.Layer is RecurrentSpec rnn)
                    {
                        var flag = PackedFlag(rnn);
                        var kernel = "global::ModelGen.Kernels." + (rnn.Cell switch { CellKind.Lstm => "Lstm.", CellKind.Gru => "Gru.", _ => "SimpleRnn." });
                        writer.Line(flag + " = " + kernel + "PackedStepSupported" + (rnn.Cell switch
                        {
                            CellKind.Lstm => "(" + Int(rnn.Units) + ", peepholes: false, coupled: false);",
                            CellKind.Gru => "(" + Int(rnn.Units) + ", resetAfter: true);",
                            _ => ";",
                        }));
                        writer.Open("if (" + flag + ")");
                        writer.Line(kernel + "PackRecurrent(" + Parameters(RecurrentEmitter.WeightHhOffset(layer), rnn.Gates * rnn.Units) + ", "
                            + Slice("_packed", layer.PackedOffset, Int(PackedRecurrentLength(rnn))) + ", " + Int(rnn.Units) + "); // " + rnn.Name + " W_hh");
                        writer.Close();
                        continue;
                    }

                    var dense = (DenseSpec)layer.Layer;
                    var channels = string.Empty;
                    if (layer.PixelMajorFlag is not null)
                    {
                        var conv = layers[layer.Index - 3];
                        writer.Line(layer.PixelMajorFlag + " = global::ModelGen.Kernels.Convolution.PixelMajorPoolingSupported(in " + Conv2DEmitter.ShapeField(conv.Layer)
                            + ", in " + PoolEmitter.ShapeField(layers[layer.Index - 2].Layer) + ");");
                        channels = ", channels: " + layer.PixelMajorFlag + " ? " + Int(((Conv2DSpec)conv.Layer).Filters) + " : 1";
                    }

                    writer.Line("global::ModelGen.Kernels.Linear.Pack(" + Parameters(layer.Slots.WeightOffset, dense.WeightCount) + ", " + Slice("_packed", layer.PackedOffset, Int(PackedLength(dense)))
                        + ", " + Int(dense.Units) + ", " + Int(dense.Inputs) + channels + "); // " + dense.Name);
                }

                writer.Close();
            }

            writer.Close();
            writer.Line();

            var sequence = model.InputShape.IsSequence;
            var streaming = HasStepPass(model);
            writer.Line("/// <summary>");
            writer.Line("/// An inference-only copy of the model as it is now, for serving: later changes to this model's weights do not reach it.");
            if (packedLength == 0)
            {
                writer.Line("/// It runs the model's own kernels on its copy of the weights" + (streaming ? ", from a zero recurrent state" : string.Empty) + ", and allocates its own");
                writer.Line("/// buffers, as the model does; use one predictor per thread.");
            }
            else if (streaming)
            {
                writer.Line("/// At batch 1 its streaming recurrent layers (simple RNNs; plain LSTMs and reset-after GRUs but for H = 1 and odd multiples of 16) read W_hh packed in <c>Step</c>, and its dense");
                writer.Line("/// layers on one vector per example read their weights packed in × out, the faster layouts for one example at a time, so its");
                writer.Line("/// results may differ from <see cref=\"Step(global::System.ReadOnlySpan{float}, global::System.Span{float})\"/>'s in the last bits.");
                writer.Line("/// It starts from a zero recurrent state, allocates its own buffers, as the model does; use one predictor per thread.");
            }
            else
            {
                writer.Line("/// Its dense layers on one vector per example read their weights packed in × out at batch 1, the faster layout for one example at a");
                writer.Line("/// time, so its results may differ from <see cref=\"Forward(global::System.ReadOnlySpan{float}, global::System.Span{float})\"/>'s in the last bits (another summation order).");
                writer.Line("/// It allocates its own buffers, as the model does; use one predictor per thread.");
            }

            writer.Line("/// </summary>");
            writer.Line("public Predictor CreatePredictor() => new(new " + name + "(this));");
            writer.Line();

            writer.Line("/// <summary>Inference with a fixed copy of a <see cref=\"" + name + "\"/>'s weights (see <see cref=\"CreatePredictor\"/>).</summary>");
            writer.Open("public sealed class Predictor");
            writer.Line("private readonly " + name + " _model;");
            writer.Line();
            writer.Line("internal Predictor(" + name + " model) => _model = model;");
            writer.Line();
            const string In = "global::System.ReadOnlySpan<float>", Out = "global::System.Span<float>";
            var layout = EncoderDecoder.Of(model);
            if (layout is not null)
            {
                EmitEncoderDecoderPredictorMembers(writer, model, layout);
            }
            else if (sequence)
            {
                writer.Line("/// <summary>Runs one sequence (its length is input.Length / InputSize steps) in inference mode, from a zero recurrent state.</summary>");
                writer.Line("public void Forward(" + In + " input, " + Out + " output) => _model.Forward(input, output);");
                writer.Line();
                writer.Line("/// <summary>Runs a mini-batch of sequences of <paramref name=\"steps\"/> steps, laid out [batch][step][features], in inference mode, from a zero recurrent state.</summary>");
                writer.Line("public void Forward(" + In + " inputs, " + Out + " outputs, int batchSize, int steps) => _model.Forward(inputs, outputs, batchSize, steps);");
            }

            if (streaming)
            {
                writer.Line();
                writer.Line("/// <summary>Streaming inference: advances one example by one step from the carried state (see <see cref=\"ResetState\"/>).</summary>");
                writer.Line("public void Step(" + In + " input, " + Out + " output) => _model.Step(input, output);");
                writer.Line();
                writer.Line("/// <summary>Streaming inference for a batch: one step per example, from and into the carried state.</summary>");
                writer.Line("public void Step(" + In + " inputs, " + Out + " outputs, int batchSize) => _model.Step(inputs, outputs, batchSize);");
                writer.Line();
                writer.Line("/// <summary>Forgets the carried recurrent state: the next Step starts from zeros.</summary>");
                writer.Line("public void ResetState() => _model.ResetState();");
            }
            else if (!sequence && layout is null)
            {
                writer.Line("/// <summary>Runs one example through the model in inference mode (dropout off).</summary>");
                writer.Line("public void Forward(" + In + " input, " + Out + " output) => _model.Forward(input, output);");
                writer.Line();
                writer.Line("/// <summary>Runs a mini-batch (examples back to back) through the model in inference mode (dropout off).</summary>");
                writer.Line("public void Forward(" + In + " inputs, " + Out + " outputs, int batchSize) => _model.Forward(inputs, outputs, batchSize);");
            }

            writer.Close();
            writer.Line();
        }

        /// <summary>An encoder–decoder predictor's members: the model's inference API (teacher-forced Forward, Encode, Step, Decode) on the copy.</summary>
        private static void EmitEncoderDecoderPredictorMembers(CodeWriter writer, ModelSpec model, EncoderDecoder layout)
        {
            const string In = "global::System.ReadOnlySpan<float>", Out = "global::System.Span<float>";
            var sequenceInput = model.InputShape.IsSequence;
            var inputSteps = sequenceInput ? ", int inputSteps" : string.Empty;
            var inputStepsArgument = sequenceInput ? ", inputSteps" : string.Empty;
            writer.Line("/// <summary>Teacher-forced inference on the copy (see the model's Forward).</summary>");
            writer.Line("public void Forward(" + In + " inputs, " + In + " decoderInputs, " + Out + " outputs, int batchSize" + inputSteps + ", int outputSteps) => _model.Forward(inputs, decoderInputs, outputs, batchSize" + inputStepsArgument + ", outputSteps);");
            writer.Line();
            writer.Line("/// <summary>Encodes <paramref name=\"inputs\"/> and sets the copy's decoder state from it; then call <see cref=\"Step\"/> once per output token.</summary>");
            writer.Line("public void Encode(" + In + " inputs, int batchSize" + inputSteps + ") => _model.Encode(inputs, batchSize" + inputStepsArgument + ");");
            writer.Line();
            writer.Line("/// <summary>Advances the copy's decoder one step from its carried state.</summary>");
            writer.Line("public void Step(" + In + " decoderInputs, " + Out + " outputs, int batchSize) => _model.Step(decoderInputs, outputs, batchSize);");
            if (CanDecode(model, layout, out _, out _))
            {
                writer.Line();
                writer.Line("/// <summary>Greedy decoding on the copy (see the model's Decode).</summary>");
                writer.Line("public void Decode(" + In + " inputs, global::System.Span<int> tokens, global::System.Span<int> lengths, int batchSize" + inputSteps + ", int startToken, int endToken) => _model.Decode(inputs, tokens, lengths, batchSize" + inputStepsArgument + ", startToken, endToken);");
            }
        }
    }
}
