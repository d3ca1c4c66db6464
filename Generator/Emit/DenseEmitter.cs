using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>Dense: <c>Y = g(X Aᵀ + α)</c> with A stored out × in (PyTorch <c>Linear.weight</c>).</summary>
    internal sealed class DenseEmitter : LayerEmitter
    {
        public static readonly DenseEmitter Instance = new();

        public override string Describe(LayerSpec layer) =>
            base.Describe(layer) + ", " + ((DenseSpec)layer).Activation;

        public override void EmitMembers(CodeWriter writer, LayerContext context)
        {
            var dense = (DenseSpec)context.Layer;
            var name = dense.PascalName;
            writer.Line("/// <summary>Weights of " + dense.Name + ", " + Int(dense.Units) + " × " + Int(dense.Inputs) + " (out × in), saved as \"" + dense.Name + ".weight\".</summary>");
            writer.Line("public global::System.Span<float> " + name + "Weight => " + Parameters(context.Slots.WeightOffset, dense.WeightCount) + ";");
            writer.Line();
            writer.Line("/// <summary>Bias of " + dense.Name + ", " + Int(dense.Units) + " values, saved as \"" + dense.Name + ".bias\".</summary>");
            writer.Line("public global::System.Span<float> " + name + "Bias => " + Parameters(context.Slots.BiasOffset, dense.Units) + ";");
            writer.Line();
            writer.Line("/// <summary>Gradient of the loss w.r.t. <see cref=\"" + name + "Weight\"/> from the last backward pass.</summary>");
            writer.Line("public global::System.ReadOnlySpan<float> " + name + "WeightGradient => " + Gradients(context.Slots.WeightOffset, dense.WeightCount) + ";");
            writer.Line();
            writer.Line("/// <summary>Gradient of the loss w.r.t. <see cref=\"" + name + "Bias\"/> from the last backward pass.</summary>");
            writer.Line("public global::System.ReadOnlySpan<float> " + name + "BiasGradient => " + Gradients(context.Slots.BiasOffset, dense.Units) + ";");
            writer.Line();
        }

        public override void EmitInitialization(CodeWriter writer, LayerContext context)
        {
            var dense = (DenseSpec)context.Layer;
            var weights = Parameters(context.Slots.WeightOffset, dense.WeightCount);
            writer.Line(dense.Activation == ActivationKind.ReLU
                ? "global::ModelGen.Initializers.HeUniform(" + weights + ", " + Int(dense.Inputs) + ", rng); // " + dense.Name + ": He for ReLU; bias 0"
                : "global::ModelGen.Initializers.GlorotUniform(" + weights + ", " + Int(dense.Inputs) + ", " + Int(dense.Units) + ", rng); // " + dense.Name + ": Glorot; bias 0");
        }

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var dense = (DenseSpec)context.Layer;
            writer.Line("var x = " + context.Input + ";");
            writer.Line("var y = " + context.Output + ";");
            writer.Line(Kernels + "Gemm.MultiplyTransposedB(x, " + Parameters(context.Slots.WeightOffset, dense.WeightCount) + ", y, batchSize, " + Int(dense.Units) + ", " + Int(dense.Inputs) + ");");
            writer.Line(Kernels + "Bias.AddRows(y, " + Parameters(context.Slots.BiasOffset, dense.Units) + ", batchSize, " + Int(dense.Units) + ");");
            switch (dense.Activation)
            {
                case ActivationKind.Sigmoid:
                    writer.Line(Kernels + "Activations.Sigmoid(y);");
                    break;
                case ActivationKind.Tanh:
                    writer.Line(Kernels + "Activations.Tanh(y);");
                    break;
                case ActivationKind.ReLU:
                    writer.Line(Kernels + "Activations.Relu(y);");
                    break;
                case ActivationKind.Softmax:
                    writer.Line(Kernels + "Activations.SoftmaxRows(y, batchSize, " + Int(dense.Units) + ");");
                    break;
                case ActivationKind.Identity when context.IsLast && context.Model.Loss == LossKind.SoftmaxCrossEntropy:
                    writer.Line("// The loss is softmax cross-entropy: the outputs are the softmax of these logits.");
                    writer.Line(Kernels + "Activations.SoftmaxRows(y, batchSize, " + Int(dense.Units) + ");");
                    break;
            }
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            var dense = (DenseSpec)context.Layer;
            writer.Line("var dy = " + Slice(context.Delta, 0, "batchSize * " + Int(dense.Units)) + ";");
            switch (dense.Activation)
            {
                case ActivationKind.Sigmoid:
                    writer.Line(Kernels + "Activations.SigmoidBackward(" + context.Output + ", dy);");
                    break;
                case ActivationKind.Tanh:
                    writer.Line(Kernels + "Activations.TanhBackward(" + context.Output + ", dy);");
                    break;
                case ActivationKind.ReLU:
                    writer.Line(Kernels + "Activations.ReluBackward(" + context.Output + ", dy);");
                    break;
                case ActivationKind.Softmax:
                    writer.Line("// dy already is the gradient w.r.t. the logits (softmax fused with the loss).");
                    break;
            }

            writer.Line(Kernels + "Gemm.MultiplyTransposedA(dy, " + context.Input + ", " + Gradients(context.Slots.WeightOffset, dense.WeightCount) + ", " + Int(dense.Units) + ", " + Int(dense.Inputs) + ", batchSize, accumulate: true);");
            writer.Line(Kernels + "Bias.AccumulateRowSums(dy, " + Gradients(context.Slots.BiasOffset, dense.Units) + ", batchSize, " + Int(dense.Units) + ");");
            if (!context.Slots.NeedsInputGradient)
            {
                return context.Delta;
            }

            writer.Line(Kernels + "Gemm.Multiply(dy, " + Parameters(context.Slots.WeightOffset, dense.WeightCount) + ", " + Slice(context.OtherDelta, 0, "batchSize * " + Int(dense.Inputs)) + ", batchSize, " + Int(dense.Inputs) + ", " + Int(dense.Units) + ");");
            return context.OtherDelta;
        }
    }
}
