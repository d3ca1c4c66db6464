using System;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Writes the code of one layer kind: its public members, initialization, forward block and backward
    /// block. Adding a layer kind means adding one subclass and one case in <see cref="For"/>.
    /// </summary>
    internal abstract class LayerEmitter
    {
        protected const string Kernels = "global::ModelGen.Kernels.";

        public static LayerEmitter For(LayerSpec layer) => layer switch
        {
            DenseSpec => DenseEmitter.Instance,
            DropoutSpec => DropoutEmitter.Instance,
            FlattenSpec => FlattenEmitter.Instance,
            Conv2DSpec => Conv2DEmitter.Instance,
            PoolSpec => PoolEmitter.Instance,
            NormalizationSpec => NormalizationEmitter.Instance,
            ResidualSpec => ResidualEmitter.Instance,
            ResidualEndSpec => ResidualEndEmitter.Instance,
            RecurrentSpec => RecurrentEmitter.Instance,
            EmbeddingSpec => EmbeddingEmitter.Instance,
            DecoderSpec => DecoderEmitter.Instance,
            _ => throw new InvalidOperationException("No emitter for " + layer.GetType().Name),
        };

        /// <summary>Constants and accessors, e.g. <c>Dense1Weight</c>.</summary>
        public virtual void EmitMembers(CodeWriter writer, LayerContext context)
        {
        }

        /// <summary>Statements in the constructor that initialize this layer's parameters from <c>rng</c>.</summary>
        public virtual void EmitInitialization(CodeWriter writer, LayerContext context)
        {
        }

        /// <summary>Statements that compute this layer's output for <c>batchSize</c> examples; <c>training</c> is in scope.</summary>
        public abstract void EmitForward(CodeWriter writer, LayerContext context);

        /// <summary>
        /// Statements for one streaming inference step (<c>Step</c>: one time step, <c>training</c> false, state
        /// carried in <c>_carry</c>, no backward pass follows). Defaults to <see cref="EmitForward"/>.
        /// </summary>
        public virtual void EmitStep(CodeWriter writer, LayerContext context) => EmitForward(writer, context);

        /// <summary>
        /// Statements that turn the gradient w.r.t. the output (in <see cref="LayerContext.Delta"/>) into
        /// parameter gradients and, when <see cref="Planning.LayerSlots.NeedsInputGradient"/>, the gradient
        /// w.r.t. the input. Returns the buffer that holds the input gradient afterwards.
        /// </summary>
        public abstract string EmitBackward(CodeWriter writer, LayerContext context);

        /// <summary>
        /// Whether <see cref="EmitBackward"/> writes every one of the layer's parameter gradients (rather than adding
        /// to them): such layers' gradients need no clearing before a backward pass.
        /// </summary>
        public virtual bool OverwritesGradients => false;

        /// <summary>A one-line description for the comment above the layer's blocks.</summary>
        public virtual string Describe(LayerSpec layer) =>
            layer.Name + ": " + layer.TypeName + " " + layer.InputShape + " -> " + layer.OutputShape;
    }
}
