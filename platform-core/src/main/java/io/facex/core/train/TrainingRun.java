package io.facex.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.facex.api.Backbone;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.api.TrainingData;
import io.facex.api.TrainingListener;
import io.facex.api.TrainingMode;
import io.facex.api.TrainingPlan;
import io.facex.api.TrainingStep;
import io.facex.api.TrainingSummary;
import io.facex.core.nn.Djl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Trains with plugins already resolved and configured, the way {@code facex train} does, for programs
 * using the toolbox as a library: builds the job's blocks and step in a fresh manager seeded by the
 * plan, and runs the {@link TrainingLoop} over them.
 */
public final class TrainingRun {

    /**
     * Everything resolved and bound.
     *
     * @param sampleRate  Partial FC's share of classes per step (1: all)
     * @param resume      a checkpoint to continue from exactly, or null
     * @param initial     weights to start from, or null
     * @param description metadata every checkpoint carries
     */
    public record Job<M, B, H>(TrainingMode<M> mode, M modeConfig, TrainingPlan plan, Backbone<B> backbone, B backboneConfig,
                        Head<H> head, H headConfig, HeadSize headSize, double sampleRate, Path outDir, Path resume, Path initial,
                        Map<String, String> description) {
    }

    private TrainingRun() {
    }

    public static <M, B, H> TrainingSummary train(Job<M, B, H> job, TrainingData data, TrainingListener listener,
                                           BooleanSupplier stop) throws IOException {
        Djl.noGradOnThisThread();
        Engine engine = Engine.getInstance();
        try (NDManager manager = engine.newBaseManager()) {
            // Every random draw of the initialisation follows from the plan's seed, as in the original.
            engine.setRandomSeed((int) job.plan().seed());
            JobContext<B, H> ctx = new JobContext<>(job.backbone(), job.backboneConfig(), job.head(), job.headConfig(),
                    job.headSize(), job.sampleRate(), job.plan().seed(), data, job.plan().batchSize(), job.outDir(), job.initial(), listener, manager);
            try (TrainingStep step = job.mode().start(ctx, job.modeConfig())) {
                TrainingLoop loop = new TrainingLoop(job.plan(), step, data, listener, stop, job.outDir(), job.description());
                if (job.resume() != null) {
                    loop.resume(job.resume(), manager);
                }
                return loop.run();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    /** Runs checked work inside the registry's guard (a Supplier), rethrowing what it threw. */
    static <T> T unchecked(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new Failed(e);
        }
    }

    /** Carries a checked exception out of the registry's guard; {@link TrainCommand} unwraps it. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(Exception cause) {
            super(cause);
        }
    }
}
