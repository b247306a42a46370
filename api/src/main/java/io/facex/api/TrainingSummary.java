package io.facex.api;

import java.nio.file.Path;

/**
 * What a finished training job reports.
 *
 * @param epochs         epochs completed
 * @param steps          optimiser steps taken
 * @param firstLoss      mean loss over the first print interval
 * @param lastLoss       mean loss over the last print interval
 * @param lastCheckpoint the newest checkpoint written, or null
 */
public record TrainingSummary(int epochs, long steps, double firstLoss, double lastLoss, Path lastCheckpoint) {
}
