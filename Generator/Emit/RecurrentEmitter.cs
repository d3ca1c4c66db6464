using System.Collections.Generic;
using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// SimpleRNN, LSTM and GRU, one or two directions. Per direction: the input projection of all steps in one
    /// GEMM, then the cell kernel's time loop (only h_{t−1}·W_hhᵀ is sequential); backward the kernel runs BPTT
    /// and the input-side weight gradients are again one GEMM over all steps.
    /// </summary>
    internal sealed partial class RecurrentEmitter : LayerEmitter
    {
        public static readonly RecurrentEmitter Instance = new();

        /// <summary>The name of one of the layer's buffers, e.g. <c>_lstm1ReversePre</c>.</summary>
        public static string Field(LayerSpec layer, int direction, string part) =>
            "_" + layer.Name + (direction == 1 ? "Reverse" : string.Empty) + part;

        /// <summary>Floats of carried state one layer keeps in <c>_carry</c>: the hidden state, and the cell state for LSTM.</summary>
        public static int CarryLength(RecurrentSpec rnn, int maxBatch) => (rnn.Cell == CellKind.Lstm ? 2 : 1) * maxBatch * rnn.Units;

        /// <summary>Where the carried hidden state of the layer at <paramref name="index"/> starts in <c>_carry</c> (its cell state follows).</summary>
        public static int CarryOffset(ModelSpec model, int index)
        {
            var offset = 0;
            for (var i = 0; i < index; i++)
            {
                if (model.Layers[i] is RecurrentSpec earlier)
                {
                    offset += CarryLength(earlier, model.MaxBatchSize);
                }
            }

            return offset;
        }

        private static int CarryOffset(LayerContext context) => CarryOffset(context.Model, context.Index);

        public override string Describe(LayerSpec layer)
        {
            var rnn = (RecurrentSpec)layer;
            var options = new List<string> { Int(rnn.Units) + " units" };
            if (rnn.Cell == CellKind.Simple)
            {
                options.Add(rnn.Activation.ToString());
            }

            if (rnn.Peepholes)
            {
                options.Add("peepholes");
            }

            if (rnn.CoupledGates)
            {
                options.Add("coupled gates");
            }

            if (rnn.Cell == CellKind.Gru)
            {
                options.Add(rnn.ResetAfter ? "reset after" : "classic reset");
            }

            options.Add(rnn.ReturnSequences ? "every step" : "last step");
            return base.Describe(layer) + ", " + string.Join(", ", options);
        }

        public override void EmitMembers(CodeWriter writer, LayerContext context)
        {
            var rnn = (RecurrentSpec)context.Layer;
            EmitBuffers(writer, context, rnn);
            for (var d = 0; d < rnn.Directions; d++)
            {
                var suffix = d == 1 ? "Reverse" : string.Empty;
                var saved = "_l0" + (d == 1 ? "_reverse" : string.Empty);
                var o = Offsets(context, rnn, d);
                var gates = Int(rnn.Gates);
                AccessorEmitter.Parameter(writer, context, "WeightIh" + suffix, "weight_ih" + saved, gates + " × " + Int(rnn.Inputs), o.WeightIh, rnn.Gates, rnn.Inputs);
                AccessorEmitter.Parameter(writer, context, "WeightHh" + suffix, "weight_hh" + saved, gates + " × " + Int(rnn.Units), o.WeightHh, rnn.Gates, rnn.Units);
                AccessorEmitter.Parameter(writer, context, "BiasIh" + suffix, "bias_ih" + saved, gates + " values", o.BiasIh, rnn.Gates);
                AccessorEmitter.Parameter(writer, context, "BiasHh" + suffix, "bias_hh" + saved, gates + " values", o.BiasHh, rnn.Gates);
                if (rnn.PeepholeCount > 0)
                {
                    AccessorEmitter.Parameter(writer, context, "Peepholes" + suffix, "weight_peephole" + saved, Int(rnn.PeepholeCount) + " values (w_ci, w_cf, w_co)", o.Peepholes, rnn.PeepholeCount);
                }
            }
        }

        public override void EmitInitialization(CodeWriter writer, LayerContext context)
        {
            var rnn = (RecurrentSpec)context.Layer;
            var limit = (1.0 / System.Math.Sqrt(rnn.Units)).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            writer.Line("global::ModelGen.Initializers.Uniform(" + Parameters(context.Slots.WeightOffset, rnn.ParameterCount) + ", " + Float(1.0 / System.Math.Sqrt(rnn.Units))
                + ", rng); // " + rnn.Name + ": PyTorch's U(±1/√H) = ±" + limit);
        }

        /// <summary>Where the forward direction's W_hh starts in the parameter buffer.</summary>
        public static int WeightHhOffset(LayerContext context) => Offsets(context, (RecurrentSpec)context.Layer, 0).WeightHh;

        /// <summary>Where one direction's tensors start in the parameter buffer.</summary>
        private static (int WeightIh, int WeightHh, int BiasIh, int BiasHh, int Peepholes) Offsets(LayerContext context, RecurrentSpec rnn, int direction)
        {
            var weightIh = context.Slots.WeightOffset + (direction * rnn.DirectionParameters);
            var weightHh = weightIh + (rnn.Gates * rnn.Inputs);
            var biasIh = weightHh + (rnn.Gates * rnn.Units);
            var biasHh = biasIh + rnn.Gates;
            return (weightIh, weightHh, biasIh, biasHh, biasHh + rnn.Gates);
        }

        /// <summary>
        /// The field a streaming LSTM flips every <c>Step</c>, so that at batch 1 each step reads W_hh's blocks of units
        /// in the opposite order to the step before and starts on those still in cache (<c>Lstm.Forward</c>'s
        /// <c>descending</c>).
        /// </summary>
        private static string StepDirection(RecurrentSpec rnn) => Field(rnn, 0, "Descending");

        /// <summary>
        /// A one-way layer that returns every step keeps its states in its own output slot, which no later layer
        /// writes and whose contents its BPTT reads: no separate buffer, and no copy of [T × B × H] per pass.
        /// </summary>
        private static bool HiddenInOutput(RecurrentSpec rnn) => rnn.ReturnSequences && !rnn.Bidirectional;

        /// <summary>Direction d's states of all steps: the output slot or the layer's Hidden buffer.</summary>
        private static string HiddenStates(LayerContext context, RecurrentSpec rnn, int direction) =>
            HiddenInOutput(rnn) ? context.Output : Span(Field(rnn, direction, "Hidden"), "rows * " + Int(rnn.Units));

        private static void EmitBuffers(CodeWriter writer, LayerContext context, RecurrentSpec rnn)
        {
            if (rnn.Cell == CellKind.Lstm && ModelEmitter.HasStepPass(context.Model))
            {
                writer.Line("private bool " + StepDirection(rnn) + "; // which way the last Step read W_hh (batch 1 alternates it)");
            }

            var batch = context.Model.MaxBatchSize;
            var rows = batch * rnn.InputShape.Steps;
            void Buffer(string name, string length, string purpose) =>
                writer.Line("private readonly global::ModelGen.AlignedBuffer " + name + " = new(" + length + "); // " + purpose);

            if (rnn.Dropout > 0)
            {
                Buffer(Field(rnn, 0, "Input"), Int(rows * rnn.Inputs), "the input after variational dropout");
                Buffer(Field(rnn, 0, "InputMask"), Int(batch * rnn.Inputs), "input dropout mask, one per sequence");
            }

            for (var d = 0; d < rnn.Directions; d++)
            {
                if (rnn.Cell == CellKind.Lstm)
                {
                    // A sequence projects into the gate buffer; only Step, one step of the batch, needs this one.
                    Buffer(Field(rnn, d, "Pre"), Int(batch * rnn.Gates), "input projections of one step (Step)");
                    Buffer(Field(rnn, d, "Gates"), Int(rows * rnn.Gates), "gate activations, kept for BPTT");
                    Buffer(Field(rnn, d, "Cells"), Int(rows * rnn.Units), "cell states");
                }
                else
                {
                    Buffer(Field(rnn, d, "Pre"), Int(rows * rnn.Gates), "input projections of all steps");
                    if (rnn.Cell == CellKind.Gru)
                    {
                        Buffer(Field(rnn, d, "Gates"), Kernels + "Gru.GatesLength(" + Int(rnn.InputShape.Steps) + ", " + Int(batch) + ", " + Int(rnn.Units) + ")", "gate activations, kept for BPTT");
                    }
                }

                if (!HiddenInOutput(rnn))
                {
                    Buffer(Field(rnn, d, "Hidden"), Int(rows * rnn.Units), "hidden states of all steps");
                }

                Buffer(Field(rnn, d, "Initial"), Int(batch * rnn.Units), "the state this pass started from");
                if (rnn.Cell == CellKind.Lstm)
                {
                    Buffer(Field(rnn, d, "InitialCell"), Int(batch * rnn.Units), "the cell state this pass started from");
                }

                if (rnn.RecurrentDropout > 0)
                {
                    Buffer(Field(rnn, d, "RecurrentMask"), Int(batch * rnn.Units), "recurrent dropout mask, one per sequence");
                }
            }

            Buffer(Field(rnn, 0, "DHidden"), Int(rnn.Directions * rows * rnn.Units), "BPTT: gradient w.r.t. each step's state, per direction");
            Buffer(Field(rnn, 0, "DPre"), Int(rows * rnn.Gates), "BPTT: gradient w.r.t. the input projections");
            Buffer(Field(rnn, 0, "DInitial"), Int(2 * batch * rnn.Units), "BPTT: gradient w.r.t. the initial state (unused: state is not trained)");
            Buffer(Field(rnn, 0, "Workspace"), WorkspaceLength(rnn, batch), "kernel scratch");
            writer.Line();
        }
    }
}
