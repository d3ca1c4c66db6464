using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    internal sealed partial class RecurrentEmitter
    {
        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var rnn = (RecurrentSpec)context.Layer;
            int h = rnn.Units, f = rnn.Inputs, g = rnn.Gates;
            writer.Line("var x = " + context.Input + ";");
            if (rnn.Dropout > 0)
            {
                writer.Line("var xi = " + Span(Field(rnn, 0, "Input"), "rows * " + Int(f)) + ";");
                writer.Open("if (training)");
                writer.Line(Kernels + "Sequences.DropoutForward(x, xi, " + Span(Field(rnn, 0, "InputMask"), "batchSize * " + Int(f)) + ", " + Float(rnn.Dropout) + ", _dropoutRng, steps, batchSize, " + Int(f) + ");");
                writer.Close();
                writer.Open("else");
                writer.Line("x.CopyTo(xi);");
                writer.Close();
            }
            else
            {
                writer.Line("var xi = x;");
            }

            for (var d = 0; d < rnn.Directions; d++)
            {
                var o = Offsets(context, rnn, d);
                var lstm = rnn.Cell == CellKind.Lstm;
                // With one input feature an LSTM forms each step's projection itself, just before the step reads it.
                var projectsPerStep = lstm && f == 1;
                writer.Open();
                writer.Line(d == 1 ? "// The reverse direction reads the sequence from its last step to its first."
                    : projectsPerStep ? "// One input feature: each step's projection is formed inside the time loop, in the step's gate rows."
                    : "// Input projections of all steps at once; only the recurrent product is sequential.");
                // An LSTM projects straight into its gate buffer: the cell turns each step's projections into that
                // step's gates in place, so the sequence's working set holds one [T × B × G] block, not two.
                writer.Line("var pre = " + Span(Field(rnn, d, lstm ? "Gates" : "Pre"), "rows * " + Int(g)) + ";");
                if (!projectsPerStep)
                {
                    writer.Line(Kernels + "RecurrentInput.Forward(xi, " + Parameters(o.WeightIh, g * f) + ", " + Parameters(o.BiasIh, g) + ", pre, rows, " + Int(g) + ", " + Int(f) + ");");
                }

                writer.Line("var initial = " + Span(Field(rnn, d, "Initial"), "batchSize * " + Int(h)) + ";");
                if (lstm)
                {
                    writer.Line("var initialCell = " + Span(Field(rnn, d, "InitialCell"), "batchSize * " + Int(h)) + ";");
                }

                if (d == 0)
                {
                    writer.Open("if (carry)");
                    writer.Line(Slice("_carry", CarryOffset(context), "batchSize * " + Int(h)) + ".CopyTo(initial);");
                    if (lstm)
                    {
                        writer.Line(Slice("_carry", CarryOffset(context) + (context.Model.MaxBatchSize * h), "batchSize * " + Int(h)) + ".CopyTo(initialCell);");
                    }

                    writer.Close();
                    writer.Open("else");
                }

                writer.Line("initial.Clear();");
                if (lstm)
                {
                    writer.Line("initialCell.Clear();");
                }

                if (d == 0)
                {
                    writer.Close();
                }

                var mask = RecurrentMask(writer, rnn, d, "training", draw: true);
                writer.Line("var hidden = " + HiddenStates(context, rnn, d) + ";");
                var reverse = d == 1 ? "true" : "false";
                switch (rnn.Cell)
                {
                    case CellKind.Simple:
                        writer.Line(Kernels + "SimpleRnn.Forward(pre, " + Parameters(o.WeightHh, g * h) + ", " + Parameters(o.BiasHh, g) + ", initial, hidden, steps, batchSize, " + Int(h)
                            + ", global::ModelGen.Activation." + rnn.Activation + ", reverse: " + reverse + ", " + mask + ");");
                        break;
                    case CellKind.Lstm:
                        writer.Line("var cells = " + Span(Field(rnn, d, "Cells"), "rows * " + Int(h)) + ";");
                        writer.Line(Kernels + (projectsPerStep ? "Lstm.ForwardSingleInput(xi, " + Parameters(o.WeightIh, g) + ", " + Parameters(o.BiasIh, g) + ", " : "Lstm.Forward(pre, ")
                            + Parameters(o.WeightHh, g * h) + ", " + Parameters(o.BiasHh, g) + ", " + Peepholes(rnn, o.Peepholes, Parameters) + ", initial, initialCell, "
                            + "pre, cells, hidden, steps, batchSize, " + Int(h) + ", peepholes: " + Bool(rnn.Peepholes) + ", coupled: " + Bool(rnn.CoupledGates)
                            + ", reverse: " + reverse + ", " + mask + ");");
                        break;
                    case CellKind.Gru:
                        writer.Line(Kernels + "Gru.Forward(pre, " + Parameters(o.WeightHh, g * h) + ", " + Parameters(o.BiasHh, g) + ", initial, " + Field(rnn, d, "Gates") + ", hidden, " + Field(rnn, 0, "Workspace")
                            + ", steps, batchSize, " + Int(h) + ", resetAfter: " + Bool(rnn.ResetAfter) + ", reverse: " + reverse + ", " + mask + ");");
                        break;
                }

                if (d == 0)
                {
                    writer.Line("// Keep the final state for the next stateful call or Step.");
                    writer.Line("hidden.Slice((steps - 1) * batchSize * " + Int(h) + ", batchSize * " + Int(h) + ").CopyTo(" + Slice("_carry", CarryOffset(context), "batchSize * " + Int(h)) + ");");
                    if (lstm)
                    {
                        writer.Line("cells.Slice((steps - 1) * batchSize * " + Int(h) + ", batchSize * " + Int(h) + ").CopyTo(" + Slice("_carry", CarryOffset(context) + (context.Model.MaxBatchSize * h), "batchSize * " + Int(h)) + ");");
                    }
                }

                writer.Close();
            }

            EmitOutput(writer, context, rnn);
        }

        /// <summary>
        /// One streaming step of a forward LSTM updates its carried state in place (<c>Lstm.Step</c>: the input
        /// projection and the cell in one call, which reads h and c from <c>_carry</c> and writes them back there),
        /// skipping the copies a pass over a whole sequence needs to keep its initial state for BPTT. Other cells take
        /// the general path.
        /// </summary>
        public override void EmitStep(CodeWriter writer, LayerContext context)
        {
            var rnn = (RecurrentSpec)context.Layer;
            if (rnn.Cell != CellKind.Lstm && context.PackedOffset >= 0)
            {
                EmitPackedStep(writer, context, rnn);
                return;
            }

            if (rnn.Cell != CellKind.Lstm || rnn.Bidirectional)
            {
                EmitForward(writer, context);
                return;
            }

            int h = rnn.Units, f = rnn.Inputs, g = rnn.Gates;
            var o = Offsets(context, rnn, 0);
            var batch = context.Model.MaxBatchSize;
            writer.Line("// One step from the carried state, updated in place (inference: no dropout, nothing kept for BPTT).");
            writer.Line("var state = " + Slice("_carry", CarryOffset(context), "batchSize * " + Int(h)) + ";");
            writer.Line("var cell = " + Slice("_carry", CarryOffset(context) + (batch * h), "batchSize * " + Int(h)) + ";");
            var step = Kernels + "Lstm.Step(" + context.Input + ", " + Parameters(o.WeightIh, g * f) + ", " + Parameters(o.BiasIh, g) + ", "
                + Parameters(o.WeightHh, g * h) + ", " + Parameters(o.BiasHh, g) + ", " + Peepholes(rnn, o.Peepholes, Parameters) + ", state, cell, "
                + Span(Field(rnn, 0, "Pre"), "batchSize * " + Int(g)) + ", " + Span(Field(rnn, 0, "Gates"), "batchSize * " + Int(g)) + ", batchSize, " + Int(f) + ", " + Int(h)
                + ", peepholes: " + Bool(rnn.Peepholes) + ", coupled: " + Bool(rnn.CoupledGates) + ", descending: " + StepDirection(rnn) + " = !" + StepDirection(rnn) + ");";
            if (context.PackedOffset < 0)
            {
                writer.Line(step);
            }
            else
            {
                // A predictor's copy holds W_hh packed block-major too, the faster layout for one example.
                writer.Open("if (" + ModelEmitter.PackedFlag(rnn) + " && batchSize == 1)");
                writer.Line(Kernels + "Lstm.StepPacked(" + context.Input + ", " + Parameters(o.WeightIh, g * f) + ", " + Parameters(o.BiasIh, g) + ", "
                    + Slice("_packed", context.PackedOffset, Int(ModelEmitter.PackedRecurrentLength(rnn))) + ", " + Parameters(o.BiasHh, g) + ", state, cell, " + Span(Field(rnn, 0, "Pre"), Int(g)) + ", " + Int(f) + ", " + Int(h) + ");");
                writer.Close();
                writer.Open("else");
                writer.Line(step);
                writer.Close();
            }

            writer.Line("state.CopyTo(" + context.Output + ");");
        }

        /// <summary>
        /// A predictor's GRU or simple-RNN step at batch 1: the carried state advanced in place on the copy's packed
        /// W_hh (<c>Gru.StepPacked</c>, <c>SimpleRnn.StepPacked</c>); other batch sizes, or a machine without the
        /// packed kernel, take the general path.
        /// </summary>
        private void EmitPackedStep(CodeWriter writer, LayerContext context, RecurrentSpec rnn)
        {
            int h = rnn.Units, f = rnn.Inputs, g = rnn.Gates;
            var o = Offsets(context, rnn, 0);
            var gru = rnn.Cell == CellKind.Gru;
            writer.Open("if (" + ModelEmitter.PackedFlag(rnn) + " && batchSize == 1)");
            writer.Line("// One step from the carried state, updated in place on the packed W_hh (inference: no dropout).");
            writer.Line("var state = " + Slice("_carry", CarryOffset(context), Int(h)) + ";");
            writer.Line(Kernels + (gru ? "Gru" : "SimpleRnn") + ".StepPacked(" + context.Input + ", " + Parameters(o.WeightIh, g * f) + ", " + Parameters(o.BiasIh, g) + ", "
                + Slice("_packed", context.PackedOffset, Int(ModelEmitter.PackedRecurrentLength(rnn))) + ", " + Parameters(o.BiasHh, g) + ", state, " + Span(Field(rnn, 0, "Pre"), Int(g)) + ", " + Int(f) + ", " + Int(h)
                + (gru ? ");" : ", global::ModelGen.Activation." + rnn.Activation + ");"));
            writer.Line("state.CopyTo(" + context.Output + ");");
            writer.Close();
            writer.Open("else");
            EmitForward(writer, context);
            writer.Close();
        }

        private static void EmitOutput(CodeWriter writer, LayerContext context, RecurrentSpec rnn)
        {
            var h = Int(rnn.Units);
            var forward = Field(rnn, 0, "Hidden");
            var backward = Field(rnn, 1, "Hidden");
            writer.Line(HiddenInOutput(rnn) ? "// Output: the state of every step, written there by the cell."
                : rnn.ReturnSequences ? "// Output: the state of every step."
                : rnn.Bidirectional ? "// Output: the last step's state (for the reverse direction, the state after reading step 0)." : "// Output: the last step's state.");
            if (rnn.Bidirectional)
            {
                writer.Line(rnn.ReturnSequences
                    ? Kernels + "Sequences.Concatenate(" + Span(forward, "rows * " + h) + ", " + Span(backward, "rows * " + h) + ", " + context.Output + ", rows, " + h + ", " + h + ");"
                    : Kernels + "Sequences.Concatenate(" + LastStep(forward, h) + ", " + Span(backward, "batchSize * " + h) + ", " + context.Output + ", batchSize, " + h + ", " + h + ");");
            }
            else if (!HiddenInOutput(rnn))
            {
                writer.Line(LastStep(forward, h) + ".CopyTo(" + context.Output + ");");
            }
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            var rnn = (RecurrentSpec)context.Layer;
            int h = rnn.Units, f = rnn.Inputs, g = rnn.Gates;
            var rows = context.Model.MaxBatchSize * rnn.InputShape.Steps;
            var dHidden = Field(rnn, 0, "DHidden");
            writer.Line("var dy = " + context.OutputGradient + ";");
            writer.Line("var dForward = " + Span(dHidden, "rows * " + Int(h)) + ";");
            if (rnn.Bidirectional)
            {
                writer.Line("var dBackward = " + Slice(dHidden, rows * h, "rows * " + Int(h)) + ";");
            }

            writer.Line("// Gradient w.r.t. each step's state from the layers above.");
            if (rnn.ReturnSequences)
            {
                writer.Line(rnn.Bidirectional
                    ? Kernels + "Sequences.Split(dy, dForward, dBackward, rows, " + Int(h) + ", " + Int(h) + ");"
                    : "dy.CopyTo(dForward);");
            }
            else
            {
                writer.Line("dForward.Clear();");
                var last = "dForward.Slice((steps - 1) * batchSize * " + Int(h) + ", batchSize * " + Int(h) + ")";
                if (rnn.Bidirectional)
                {
                    writer.Line("dBackward.Clear();");
                    writer.Line(Kernels + "Sequences.Split(dy, " + last + ", dBackward.Slice(0, batchSize * " + Int(h) + "), batchSize, " + Int(h) + ", " + Int(h) + ");");
                }
                else
                {
                    writer.Line("dy.CopyTo(" + last + ");");
                }
            }

            writer.Line("var xi = " + (rnn.Dropout > 0 ? Span(Field(rnn, 0, "Input"), "rows * " + Int(f)) : context.Input) + ";");
            writer.Line("var dPre = " + Span(Field(rnn, 0, "DPre"), "rows * " + Int(g)) + ";");
            writer.Line("var dInitial = " + Span(Field(rnn, 0, "DInitial"), "batchSize * " + Int(h)) + ";");
            var layout = EncoderDecoder.Of(context.Model);
            writer.Line(layout is null ? "var backpropSteps = _backpropSteps > 0 ? _backpropSteps : steps;" : "var backpropSteps = steps; // encoder–decoder models back-propagate through every step");
            var partner = layout?.DecoderPartner(context.Index) ?? -1;
            var dFinalCell = "default";
            if (partner >= 0)
            {
                // This encoder layer's final state seeded the decoder: the decoder's gradient w.r.t. its initial state flows back in here.
                var decoder = (RecurrentSpec)context.Model.Layers[partner];
                writer.Line("// The decoder's gradient w.r.t. its initial state is this layer's gradient w.r.t. its final state.");
                var last = "dForward.Slice((steps - 1) * batchSize * " + Int(h) + ", batchSize * " + Int(h) + ")";
                writer.Line("global::System.Numerics.Tensors.TensorPrimitives.Add(" + last + ", " + Span(Field(decoder, 0, "DInitial"), "batchSize * " + Int(h)) + ", " + last + ");");
                if (rnn.Cell == CellKind.Lstm)
                {
                    dFinalCell = Slice(Field(decoder, 0, "DInitial"), context.Model.MaxBatchSize * h, "batchSize * " + Int(h));
                }
            }
            for (var d = 0; d < rnn.Directions; d++)
            {
                var o = Offsets(context, rnn, d);
                var reverse = d == 1 ? "true" : "false";
                var dState = d == 1 ? "dBackward" : "dForward";
                writer.Open();
                var mask = RecurrentMask(writer, rnn, d, "_trainingPass", draw: false);
                var hidden = HiddenStates(context, rnn, d);
                var initial = Span(Field(rnn, d, "Initial"), "batchSize * " + Int(h));
                switch (rnn.Cell)
                {
                    case CellKind.Simple:
                        writer.Line(Kernels + "SimpleRnn.Backward(" + hidden + ", " + initial + ", " + Parameters(o.WeightHh, g * h) + ", " + dState + ", dPre, " + Gradients(o.WeightHh, g * h) + ", "
                            + Gradients(o.BiasHh, g) + ", dInitial, " + Field(rnn, 0, "Workspace") + ", steps, backpropSteps, batchSize, " + Int(h) + ", global::ModelGen.Activation." + rnn.Activation + ", reverse: " + reverse + ", " + mask + ");");
                        break;
                    case CellKind.Lstm:
                        writer.Line(Kernels + "Lstm.Backward(" + Span(Field(rnn, d, "Gates"), "rows * " + Int(g)) + ", " + Span(Field(rnn, d, "Cells"), "rows * " + Int(h)) + ", " + hidden + ", " + initial + ", "
                            + Span(Field(rnn, d, "InitialCell"), "batchSize * " + Int(h)) + ", " + Parameters(o.WeightHh, g * h) + ", " + Peepholes(rnn, o.Peepholes, Parameters) + ", " + dState + ", dPre, "
                            + Gradients(o.WeightHh, g * h) + ", " + Gradients(o.BiasHh, g) + ", " + Peepholes(rnn, o.Peepholes, Gradients) + ", dInitial, "
                            + Slice(Field(rnn, 0, "DInitial"), context.Model.MaxBatchSize * h, "batchSize * " + Int(h)) + ", " + Field(rnn, 0, "Workspace")
                            + ", steps, backpropSteps, batchSize, " + Int(h) + ", peepholes: " + Bool(rnn.Peepholes) + ", coupled: " + Bool(rnn.CoupledGates) + ", reverse: " + reverse + ", " + mask
                            + (dFinalCell == "default" ? string.Empty : ", dFinalCell: " + dFinalCell) + ");");
                        break;
                    case CellKind.Gru:
                        writer.Line(Kernels + "Gru.Backward(" + Field(rnn, d, "Gates") + ", " + hidden + ", " + initial + ", " + Parameters(o.WeightHh, g * h) + ", " + dState + ", dPre, "
                            + Gradients(o.WeightHh, g * h) + ", " + Gradients(o.BiasHh, g) + ", dInitial, " + Field(rnn, 0, "Workspace") + ", steps, backpropSteps, batchSize, " + Int(h)
                            + ", resetAfter: " + Bool(rnn.ResetAfter) + ", reverse: " + reverse + ", " + mask + ");");
                        break;
                }

                writer.Line("// The input-side weights: one GEMM over all steps.");
                writer.Line(Kernels + "RecurrentInput.Backward(dPre, xi, " + Gradients(o.WeightIh, g * f) + ", " + Gradients(o.BiasIh, g) + ", rows, " + Int(g) + ", " + Int(f) + ");");
                if (context.Slots.NeedsInputGradient)
                {
                    writer.Line(Kernels + "RecurrentInput.InputGradient(dPre, " + Parameters(o.WeightIh, g * f) + ", " + context.InputGradient + ", rows, " + Int(g) + ", " + Int(f) + (d == 1 ? ", accumulate: true" : string.Empty) + ");");
                }

                writer.Close();
            }

            if (!context.Slots.NeedsInputGradient)
            {
                return context.Delta;
            }

            if (rnn.Dropout > 0)
            {
                writer.Open("if (_trainingPass)");
                writer.Line(Kernels + "Sequences.DropoutBackward(" + Span(Field(rnn, 0, "InputMask"), "batchSize * " + Int(f)) + ", " + context.InputGradient + ", steps, batchSize, " + Int(f) + ");");
                writer.Close();
            }

            return context.OtherDelta;
        }

        /// <summary>Declares <c>mask</c> (drawing it in training passes when <paramref name="draw"/>) and returns the argument text.</summary>
        private static string RecurrentMask(CodeWriter writer, RecurrentSpec rnn, int direction, string condition, bool draw)
        {
            if (rnn.RecurrentDropout <= 0)
            {
                return "recurrentMask: default";
            }

            writer.Line("var mask = " + Span(Field(rnn, direction, "RecurrentMask"), "batchSize * " + Int(rnn.Units)) + ";");
            if (draw)
            {
                writer.Open("if (" + condition + ")");
                writer.Line(Kernels + "Sequences.DrawMask(mask, " + Float(rnn.RecurrentDropout) + ", _dropoutRng);");
                writer.Close();
            }

            return "recurrentMask: " + condition + " ? mask : default";
        }

        private static string Peepholes(RecurrentSpec rnn, int offset, System.Func<int, int, string> slice) =>
            rnn.PeepholeCount > 0 ? slice(offset, rnn.PeepholeCount) : "default";

        private static string LastStep(string field, string hidden) =>
            Slice(field, "(steps - 1) * batchSize * " + hidden, "batchSize * " + hidden);

        private static string Span(string field, string length) => Slice(field, 0, length);

        private static string Bool(bool value) => value ? "true" : "false";

        private static string WorkspaceLength(RecurrentSpec rnn, int batch) => rnn.Cell switch
        {
            CellKind.Lstm => Kernels + "Lstm.WorkspaceLength(" + Int(batch) + ", " + Int(rnn.Units) + ")",
            CellKind.Gru => Kernels + "Gru.WorkspaceLength(" + Int(batch) + ", " + Int(rnn.Units) + ")",
            _ => Kernels + "SimpleRnn.WorkspaceLength(" + Int(batch) + ", " + Int(rnn.Units) + ")",
        };
    }
}
