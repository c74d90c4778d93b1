package lsk.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every seed taken from the reference vectors goes through its fuzz target's checks in the
 * normal test run (Jazzer's regression mode replays only the committed crash inputs).
 */
class VectorSeedsTest {
    static Stream<Arguments> targets() throws Exception {
        return FuzzRunner.discover().stream().map(t -> Arguments.of(t.id(), t));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void seedsPassTheTarget(String id, FuzzRunner.Target t) throws Exception {
        Map<String, byte[]> seeds = Seeds.all().get(id);
        assertTrue(seeds != null && !seeds.isEmpty(), "no vector seeds for " + id);
        Class<?> c = Class.forName(t.className());
        var ctor = c.getDeclaredConstructor();
        ctor.setAccessible(true);
        Object instance = ctor.newInstance();
        Method m = c.getDeclaredMethod(t.method(), byte[].class);
        m.setAccessible(true);
        for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
            try {
                m.invoke(instance, (Object) s.getValue());
            } catch (InvocationTargetException e) {
                throw new AssertionError(id + " fails on seed " + s.getKey(), e.getCause());
            }
        }
    }

    /** Seeds for targets that no longer exist would be dead data. */
    @Test
    void everySeedSetHasATarget() throws Exception {
        List<String> ids = FuzzRunner.discover().stream().map(FuzzRunner.Target::id).toList();
        for (String k : Seeds.all().keySet()) {
            assertTrue(ids.contains(k), "seeds for unknown target " + k);
        }
        assertFalse(ids.isEmpty());
    }
}
