using ModelGen.Generator.Model;

namespace ModelGen.Generator.Emit
{
    /// <summary>The elementwise activation calls shared by the layers that end in an activation.</summary>
    internal static class ActivationEmitter
    {
        private const string Kernels = "global::ModelGen.Kernels.Activations.";

        /// <summary>Applies the activation to <paramref name="span"/> in place. Softmax is the caller's (it needs rows).</summary>
        public static void Forward(CodeWriter writer, ActivationKind activation, string span)
        {
            switch (activation)
            {
                case ActivationKind.Sigmoid:
                    writer.Line(Kernels + "Sigmoid(" + span + ");");
                    break;
                case ActivationKind.Tanh:
                    writer.Line(Kernels + "Tanh(" + span + ");");
                    break;
                case ActivationKind.ReLU:
                    writer.Line(Kernels + "Relu(" + span + ");");
                    break;
            }
        }

        /// <summary>Multiplies <paramref name="gradient"/> in place by the activation's derivative, from the layer's output.</summary>
        public static void Backward(CodeWriter writer, ActivationKind activation, string output, string gradient)
        {
            switch (activation)
            {
                case ActivationKind.Sigmoid:
                    writer.Line(Kernels + "SigmoidBackward(" + output + ", " + gradient + ");");
                    break;
                case ActivationKind.Tanh:
                    writer.Line(Kernels + "TanhBackward(" + output + ", " + gradient + ");");
                    break;
                case ActivationKind.ReLU:
                    writer.Line(Kernels + "ReluBackward(" + output + ", " + gradient + ");");
                    break;
                case ActivationKind.Softmax:
                    writer.Line("// The gradient already is w.r.t. the logits (softmax fused with the loss).");
                    break;
            }
        }

        /// <summary>He initialization suits ReLU layers, Glorot the others (the Keras defaults).</summary>
        public static string Initialization(ActivationKind activation, string weights, int fanIn, int fanOut) =>
            activation == ActivationKind.ReLU
                ? "global::ModelGen.Initializers.HeUniform(" + weights + ", " + LayerContext.Int(fanIn) + ", rng);"
                : "global::ModelGen.Initializers.GlorotUniform(" + weights + ", " + LayerContext.Int(fanIn) + ", " + LayerContext.Int(fanOut) + ", rng);";
    }
}
