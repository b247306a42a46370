package io.facex.core.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    @Test
    void everyFormReadsAsAConfigurationFileWould() {
        CommandLine.Parsed p = CommandLine.parse(List.of("--lr", "0.1", "--epoches=3", "--resume", "--step", "2,5,7",
                "--seed", "-1", "--set", "head.margin=0.4", "--set", "backbone.feat_dim=256", "-c", "job.yaml",
                "--skip_bad_images", "--data_root", "faces"));
        assertEquals(Path.of("job.yaml"), p.config());
        assertFalse(p.help());
        assertTrue(p.options().get("lr").isDouble());
        assertEquals(3, p.options().get("epoches").asInt());
        assertTrue(p.options().get("resume").asBoolean(), "a bare flag before another option is true");
        assertEquals("2,5,7", p.options().get("step").asText());
        assertEquals(-1, p.options().get("seed").asInt(), "a negative number is a value, not an option");
        assertEquals(0.4, p.options().get("head").get("margin").asDouble());
        assertEquals(256, p.options().get("backbone").get("feat_dim").asInt());
        assertTrue(p.options().get("skip_bad_images").asBoolean());
        assertEquals("faces", p.options().get("data_root").asText());
        assertTrue(CommandLine.parse(List.of("-r", "-h")).help());
    }

    @Test
    void oneLetterNamesStandForTheCommandsOptions() {
        CommandLine.Parsed p = CommandLine.parse(List.of("train", "-H", "ArcFace", "-m", "semi-siamese", "--batch", "64"),
                java.util.Map.of("-H", "head", "-m", "mode"));
        assertEquals(List.of("train"), p.positional());
        assertEquals("ArcFace", p.options().get("head").asText());
        assertEquals("semi-siamese", p.options().get("mode").asText());
        ConfigException e = assertThrows(ConfigException.class,
                () -> CommandLine.parse(List.of("-H"), java.util.Map.of("-H", "head")));
        assertTrue(e.getMessage().contains("-H expects a value (--head)"), e.getMessage());
    }

    @Test
    void malformedArgumentsAreNamed() {
        CommandLine.Parsed p = CommandLine.parse(List.of("--lr", "0.1", "fast"));
        assertEquals(List.of("fast"), p.positional());
        ConfigException e = assertThrows(ConfigException.class, p::requireNoPositional);
        assertTrue(e.getMessage().contains("command line: unexpected argument 'fast'"), e.getMessage());
        assertEquals(List.of("train"), CommandLine.parse(List.of("train", "--batch", "64")).positional());
        e = assertThrows(ConfigException.class, () -> CommandLine.parse(List.of("--set", "margin")));
        assertTrue(e.getMessage().contains("--set expects key=value or section.key=value, got 'margin'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> CommandLine.parse(List.of("-c")));
        assertTrue(e.getMessage().contains("-c expects a file"), e.getMessage());
    }
}
