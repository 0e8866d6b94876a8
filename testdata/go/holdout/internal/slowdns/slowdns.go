// Package slowdns is a tiny authoritative DNS server for loopback tests: every A question is
// answered with 127.0.0.1, AAAA with an empty NOERROR answer, SRV with a configured port on
// the same name, PTR with a host name made of the address, each only after a delay, like an
// overloaded or distant resolver. It speaks just enough of RFC 1035 for Go's own resolver
// (net.Resolver with PreferGo).
package slowdns

import (
	"context"
	"encoding/binary"
	"errors"
	"log"
	"net"
	"sync/atomic"
	"time"
)

const (
	typeA    = 1
	typeAAAA = 28
	typeSRV  = 33
	typePTR  = 12
	classIN  = 1
)

// Server answers queries on a UDP socket after Delay.
type Server struct {
	Delay   time.Duration
	SRVPort uint16 // port announced in SRV answers
	Queries atomic.Int64
}

// Serve answers every datagram on pc until it is closed.
func (s *Server) Serve(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log.Printf("slowdns: %v", err)
			}
			return
		}
		q := append([]byte(nil), buf[:n]...)
		s.Queries.Add(1)
		go func() {
			resp, err := s.answer(q)
			if err != nil {
				log.Printf("slowdns: bad query from %v: %v", addr, err)
				return
			}
			time.Sleep(s.Delay)
			pc.WriteTo(resp, addr)
		}()
	}
}

// answer builds the response to one query message.
func (s *Server) answer(q []byte) ([]byte, error) {
	if len(q) < 12 {
		return nil, errors.New("short header")
	}
	if binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil, errors.New("want exactly one question")
	}
	// The question: labels up to the zero byte, then type and class.
	i := 12
	for {
		if i >= len(q) {
			return nil, errors.New("truncated name")
		}
		l := int(q[i])
		if l == 0 {
			i++
			break
		}
		if l > 63 {
			return nil, errors.New("compressed or bad label in question")
		}
		i += 1 + l
	}
	if i+4 > len(q) {
		return nil, errors.New("truncated question")
	}
	qtype := binary.BigEndian.Uint16(q[i : i+2])
	question := q[12 : i+4]

	resp := make([]byte, 12, 512)
	copy(resp, q[:2])                                 // ID
	flags := uint16(0x8000 | 0x0400 | 0x0080)         // QR, AA, RA
	flags |= binary.BigEndian.Uint16(q[2:4]) & 0x0100 // RD echoed
	binary.BigEndian.PutUint16(resp[2:], flags)
	binary.BigEndian.PutUint16(resp[4:], 1)
	resp = append(resp, question...)
	var rdata []byte
	switch qtype {
	case typeA:
		rdata = []byte{127, 0, 0, 1}
	case typePTR:
		// A name derived from the queried address: "7.0.20.10.in-addr.arpa." -> the host
		// "host-7-0-20-10.isp.holdout.test.".
		var labels []string
		for j := 0; j < len(question)-4 && question[j] != 0; j += 1 + int(question[j]) {
			labels = append(labels, string(question[j+1:j+1+int(question[j])]))
		}
		host := "host"
		for _, l := range labels {
			if l == "in-addr" {
				break
			}
			host += "-" + l
		}
		for _, l := range []string{host, "isp", "holdout", "test"} {
			rdata = append(rdata, byte(len(l)))
			rdata = append(rdata, l...)
		}
		rdata = append(rdata, 0)
	case typeSRV:
		rdata = binary.BigEndian.AppendUint16(nil, 10)    // priority
		rdata = binary.BigEndian.AppendUint16(rdata, 100) // weight
		rdata = binary.BigEndian.AppendUint16(rdata, s.SRVPort)
		rdata = append(rdata, question[:len(question)-4]...) // target: the queried name
	}
	if rdata != nil {
		binary.BigEndian.PutUint16(resp[6:], 1)
		resp = append(resp, 0xC0, 12) // name: pointer to the question
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = binary.BigEndian.AppendUint16(resp, classIN)
		resp = binary.BigEndian.AppendUint32(resp, 30)
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
		resp = append(resp, rdata...)
	}
	return resp, nil
}

// Resolver returns a pure-Go resolver that sends every query to addr, whatever
// /etc/resolv.conf says.
func Resolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", addr)
		},
	}
}
