// Oracle extraction for gorca's trace analyses: turns what `go tool trace` shows for a trace
// into small normalised golden files, so tests compare gorca against the Go tools and never
// against gorca's own output.
//
//   - goroutines.tsv: the "Goroutines" page and every per-group page of `go tool trace
//     -http` of the trace's own Go version (-go), durations converted to nanoseconds;
//   - mmu.tsv: the /mmu plot data (window, MMU) for several flag sets, and the worst
//     windows (/mmu?mode=details) at 1 ms, 10 ms, 100 ms and 1 s;
//   - pprof-<type>.txt: Go 1.26's `go tool trace -pprof=TYPE` (-pprof-go) read back with
//     `go tool pprof -raw`, one line per distinct stack with its summed values.
//
// Standard library only. Usage: oracle -go GO -pprof-go GO126 -trace FILE -out DIR
// (tests use `oracle -normalize-raw < pprof-raw.txt` to normalise gorca's profiles the same way)
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	goBin    = flag.String("go", "go", "go binary whose `go tool trace -http` is the oracle for pages and MMU")
	pprofGo  = flag.String("pprof-go", "", "go binary (Go 1.26) for -pprof and pprof -raw; empty skips")
	traceArg = flag.String("trace", "", "trace file")
	outDir   = flag.String("out", ".", "output directory")
	normRaw  = flag.Bool("normalize-raw", false, "read `go tool pprof -raw` text on stdin, print it normalised (for tests)")
)

func main() {
	flag.Parse()
	if *normRaw {
		raw, err := io.ReadAll(os.Stdin)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(NormalizeRaw(string(raw)))
		return
	}
	if *traceArg == "" {
		log.Fatal("-trace is required")
	}
	version := goVersion(*goBin)
	base, stop := startServer(*goBin, *traceArg)
	defer stop()
	writeFile("goroutines.tsv", goroutinePages(base, version))
	writeFile("mmu.tsv", mmuData(base, version))
	if *pprofGo != "" {
		pv := goVersion(*pprofGo)
		for _, typ := range []string{"net", "sync", "syscall", "sched"} {
			writeFile("pprof-"+typ+".txt", pprofRaw(*pprofGo, pv, typ))
		}
	}
}

func goVersion(gobin string) string {
	out, err := exec.Command(gobin, "env", "GOVERSION").Output()
	if err != nil {
		log.Fatalf("%s env GOVERSION: %v", gobin, err)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(name, data string) {
	if err := os.WriteFile(filepath.Join(*outDir, name), []byte(data), 0o644); err != nil {
		log.Fatal(err)
	}
}

// startServer runs `go tool trace -http=127.0.0.1:0` and returns its base URL once it serves.
func startServer(gobin, tracePath string) (string, func()) {
	cmd := exec.Command(gobin, "tool", "trace", "-http=127.0.0.1:0", tracePath)
	cmd.Env = append(os.Environ(), "BROWSER=true")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	re := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return m[1], stop
		}
	}
	stop()
	log.Fatal("go tool trace exited before serving")
	return "", nil
}

func fetch(u string) string {
	for i := 0; ; i++ {
		resp, err := http.Get(u)
		if err == nil {
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == 200 {
				return string(b)
			}
			log.Fatalf("GET %s: status %d, %v: %s", u, resp.StatusCode, err, b)
		}
		if i == 100 {
			log.Fatalf("GET %s: %v", u, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ---- goroutine pages ------------------------------------------------------------------------

var (
	reRow  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	reCell = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	reHead = regexp.MustCompile(`(?s)<th[^>]*>(.*?)</th>`)
	reTag  = regexp.MustCompile(`(?s)<[^>]*>`)
)

func text(s string) string {
	return strings.TrimSpace(html.UnescapeString(reTag.ReplaceAllString(s, "")))
}

func ns(s string) int64 {
	d, err := time.ParseDuration(s)
	if err != nil {
		log.Fatalf("bad duration %q: %v", s, err)
	}
	return int64(d)
}

type table struct {
	head []string
	rows [][]string
}

func parseTable(s string) table {
	var t table
	for _, m := range reHead.FindAllStringSubmatch(s, -1) {
		t.head = append(t.head, text(m[1]))
	}
	for _, r := range reRow.FindAllStringSubmatch(s, -1) {
		cells := reCell.FindAllStringSubmatch(r[1], -1)
		if len(cells) == 0 {
			continue
		}
		var row []string
		for _, c := range cells {
			row = append(row, text(c[1]))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

func section(page, from, to string) string {
	i := strings.Index(page, from)
	if i < 0 {
		log.Fatalf("page has no %q", from)
	}
	page = page[i:]
	if to != "" {
		if j := strings.Index(page, to); j >= 0 {
			page = page[:j]
		}
	}
	return page
}

// goroutinePages writes one "group" line per row of /goroutines and, for each, one "g" line
// per goroutine of its page: id, total, every non-overlapping stat and every range stat.
func goroutinePages(base, version string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# oracle: %s go tool trace -http: /goroutines and /goroutine?name=GROUP\n", version)
	fmt.Fprintf(&b, "# group\tNAME\tCOUNT\tEXEC_NS\n# g\tNAME\tID\tTOTAL_NS\tSTAT=NS;...\tRANGE=NS;...\n")
	list := parseTable(section(fetch(base+"/goroutines"), "<table>", "</table>"))
	type group struct {
		name string
		n    int
		exec int64
	}
	var groups []group
	for _, r := range list.rows {
		if len(r) != 3 {
			log.Fatalf("/goroutines row %q", r)
		}
		name := r[0]
		if name == "(Inactive, no stack trace sampled)" {
			name = ""
		}
		n, _ := strconv.Atoi(r[1])
		groups = append(groups, group{name, n, ns(r[2])})
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].name < groups[j].name })
	for _, g := range groups {
		fmt.Fprintf(&b, "group\t%s\t%d\t%d\n", g.name, g.n, g.exec)
	}
	for _, g := range groups {
		page := fetch(base + "/goroutine?name=" + url.QueryEscape(g.name))
		bd := parseTable(section(page, `id="breakdown"`, `id="ranges"`))
		rg := parseTable(section(page, `<h3 id="ranges"`, ""))
		// Breakdown header: Goroutine, Total, (bar), stats...; rows: id, total, bar, stats...
		if len(bd.head) < 3 || bd.head[0] != "Goroutine" || bd.head[1] != "Total" {
			log.Fatalf("group %q: unexpected breakdown header %q", g.name, bd.head)
		}
		stats := bd.head[3:]
		ranges := map[string]map[string]int64{}
		if len(rg.head) >= 2 {
			rnames := rg.head[2:]
			for _, r := range rg.rows {
				m := map[string]int64{}
				for i, name := range rnames {
					if v := ns(r[2+i]); v != 0 {
						m[name] = v
					}
				}
				ranges[r[0]] = m
			}
		}
		type line struct {
			id  int64
			txt string
		}
		var lines []line
		for _, r := range bd.rows {
			if len(r) != 3+len(stats) {
				log.Fatalf("group %q: row %q has %d cells, want %d", g.name, r, len(r), 3+len(stats))
			}
			id, _ := strconv.ParseInt(r[0], 10, 64)
			var st []string
			for i, name := range stats {
				st = append(st, fmt.Sprintf("%s=%d", name, ns(r[3+i])))
			}
			var rs []string
			for name, v := range ranges[r[0]] {
				rs = append(rs, fmt.Sprintf("%s=%d", name, v))
			}
			sort.Strings(rs)
			lines = append(lines, line{id, fmt.Sprintf("g\t%s\t%d\t%d\t%s\t%s\n", g.name, id, ns(r[1]),
				strings.Join(st, ";"), strings.Join(rs, ";"))})
		}
		if len(lines) != g.n {
			log.Fatalf("group %q: page lists %d goroutines, /goroutines says %d", g.name, len(lines), g.n)
		}
		sort.Slice(lines, func(i, j int) bool { return lines[i].id < lines[j].id })
		for _, l := range lines {
			b.WriteString(l.txt)
		}
	}
	return b.String()
}

// ---- MMU ------------------------------------------------------------------------------------

var mmuFlagSets = []string{
	"stw|background|assist|sweep",
	"perProc|stw|background|assist|sweep",
	"stw",
	"assist|background",
}

func mmuData(base, version string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# oracle: %s go tool trace -http: /mmu?mode=plot and /mmu?mode=details\n", version)
	fmt.Fprintf(&b, "# curve\tFLAGS\tWINDOW_NS\tMMU\n# worst\tFLAGS\tWINDOW_NS\tTIME_NS\tUTIL\n")
	for _, flags := range mmuFlagSets {
		var plot struct {
			Curve [][]float64 `json:"curve"`
		}
		body := fetch(base + "/mmu?mode=plot&flags=" + url.QueryEscape(flags))
		if err := json.Unmarshal([]byte(body), &plot); err != nil {
			log.Fatalf("mmu plot %s: %v", flags, err)
		}
		for _, p := range plot.Curve {
			fmt.Fprintf(&b, "curve\t%s\t%d\t%.17g\n", flags, int64(p[0]), p[1])
		}
		for _, w := range []int64{1e6, 1e7, 1e8, 1e9} {
			var worst []struct {
				Time        int64
				MutatorUtil float64
			}
			body := fetch(fmt.Sprintf("%s/mmu?mode=details&window=%d&flags=%s", base, w, url.QueryEscape(flags)))
			if err := json.Unmarshal([]byte(body), &worst); err != nil {
				log.Fatalf("mmu details %s %d: %v", flags, w, err)
			}
			for _, x := range worst {
				fmt.Fprintf(&b, "worst\t%s\t%d\t%d\t%.17g\n", flags, w, x.Time, x.MutatorUtil)
			}
		}
	}
	return b.String()
}

// ---- blocking profiles ----------------------------------------------------------------------

var (
	reSample = regexp.MustCompile(`^\s*(\d+)\s+(\d+):((?:\s+\d+)*)\s*$`)
	reLoc    = regexp.MustCompile(`^\s*(\d+):\s+(0x[0-9a-f]+)\s+M=\d+\s+(\S+)\s+(\S+?):(\d+)(?::\d+)?\s+s=\d+\s*$`)
)

// pprofRaw writes "COUNT DELAY_NS <tab> PC FUNC FILE:LINE | ..." per distinct stack (leaf
// first), samples with the same stack summed, lines sorted.
func pprofRaw(gobin, version, typ string) string {
	tmp, err := os.CreateTemp("", "oracle-*.pb")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(tmp.Name())
	cmd := exec.Command(gobin, "tool", "trace", "-pprof="+typ, *traceArg)
	cmd.Stdout = tmp
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("go tool trace -pprof=%s: %v", typ, err)
	}
	tmp.Close()
	raw, err := exec.Command(gobin, "tool", "pprof", "-raw", tmp.Name()).Output()
	if err != nil {
		log.Fatalf("go tool pprof -raw: %v", err)
	}
	return fmt.Sprintf("# oracle: %s go tool trace -pprof=%s | go tool pprof -raw, normalised\n", version, typ) +
		NormalizeRaw(string(raw))
}

// NormalizeRaw turns `go tool pprof -raw` output of a two-value profile into sorted lines.
func NormalizeRaw(raw string) string {
	type sample struct {
		count, delay int64
		locs         []string
	}
	var samples []sample
	locs := map[string]string{}
	mode := ""
	for _, l := range strings.Split(raw, "\n") {
		switch {
		case strings.HasPrefix(l, "Samples:"):
			mode = "s"
			continue
		case strings.HasPrefix(l, "Locations"):
			mode = "l"
			continue
		case strings.HasPrefix(l, "Mappings"):
			mode = ""
			continue
		}
		switch mode {
		case "s":
			if m := reSample.FindStringSubmatch(l); m != nil {
				c, _ := strconv.ParseInt(m[1], 10, 64)
				d, _ := strconv.ParseInt(m[2], 10, 64)
				samples = append(samples, sample{c, d, strings.Fields(m[3])})
			}
		case "l":
			if m := reLoc.FindStringSubmatch(l); m != nil {
				locs[m[1]] = fmt.Sprintf("%s %s %s:%s", m[2], m[3], m[4], m[5])
			} else if strings.TrimSpace(l) != "" {
				log.Fatalf("unparsed location line %q", l)
			}
		}
	}
	sum := map[string][2]int64{}
	for _, s := range samples {
		var fr []string
		for _, id := range s.locs {
			f, ok := locs[id]
			if !ok {
				log.Fatalf("sample refers to unknown location %s", id)
			}
			fr = append(fr, f)
		}
		k := strings.Join(fr, " | ")
		v := sum[k]
		v[0] += s.count
		v[1] += s.delay
		sum[k] = v
	}
	var lines []string
	for k, v := range sum {
		lines = append(lines, fmt.Sprintf("%d %d\t%s\n", v[0], v[1], k))
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}
