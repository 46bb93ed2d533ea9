// Package server implements the orders service on top of an in-memory
// store. It is what cmd/ordersd serves and what the client tests talk to
// over an in-memory listener.
package server

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/ptypes"
	"github.com/golang/protobuf/ptypes/empty"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	orderspb "example.com/legacyapp/proto/orders/v1"
)

// Orders is the service implementation. Its zero value is not usable;
// call New.
type Orders struct {
	mu     sync.Mutex
	orders map[string]*orderspb.Order
	seq    int
	events []*orderspb.OrderEvent
}

// New returns an empty store.
func New() *Orders {
	return &Orders{orders: map[string]*orderspb.Order{}}
}

// CreateOrder stores a copy of the order, assigning an id and a creation
// time when the caller left them out.
func (s *Orders) CreateOrder(ctx context.Context, req *orderspb.CreateOrderRequest) (*orderspb.Order, error) {
	if req.GetOrder() == nil {
		return nil, grpc.Errorf(codes.InvalidArgument, "create: order is required")
	}
	o := proto.Clone(req.GetOrder()).(*orderspb.Order)
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.Id == "" {
		s.seq++
		o.Id = fmt.Sprintf("o-%d", s.seq)
	}
	if _, dup := s.orders[o.Id]; dup {
		return nil, grpc.Errorf(codes.AlreadyExists, "create: order %s exists", o.Id)
	}
	if o.CreatedAt == nil {
		o.CreatedAt = ptypes.TimestampNow()
	}
	o.Status = orderspb.OrderStatus_ORDER_STATUS_PENDING
	s.orders[o.Id] = o
	if err := s.record(o.Id, o.Status, o); err != nil {
		return nil, err
	}
	return proto.Clone(o).(*orderspb.Order), nil
}

// GetOrder returns a copy of a stored order.
func (s *Orders) GetOrder(ctx context.Context, req *orderspb.GetOrderRequest) (*orderspb.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[req.GetId()]
	if !ok {
		return nil, grpc.Errorf(codes.NotFound, "order %q not found", req.GetId())
	}
	return proto.Clone(o).(*orderspb.Order), nil
}

// CancelOrder marks an order cancelled; shipped orders cannot be.
func (s *Orders) CancelOrder(ctx context.Context, req *orderspb.GetOrderRequest) (*empty.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[req.GetId()]
	if !ok {
		return nil, grpc.Errorf(codes.NotFound, "order %q not found", req.GetId())
	}
	if o.Status == orderspb.OrderStatus_ORDER_STATUS_SHIPPED {
		return nil, grpc.Errorf(codes.FailedPrecondition, "order %s already shipped", o.Id)
	}
	o.Status = orderspb.OrderStatus_ORDER_STATUS_CANCELLED
	if err := s.record(o.Id, o.Status, &orderspb.GetOrderRequest{Id: o.Id}); err != nil {
		return nil, err
	}
	return &empty.Empty{}, nil
}

// record appends an event whose payload is packed into an Any. The
// caller holds s.mu.
func (s *Orders) record(id string, st orderspb.OrderStatus, payload proto.Message) error {
	a, err := ptypes.MarshalAny(payload)
	if err != nil {
		return grpc.Errorf(codes.Internal, "packing event payload: %v", err)
	}
	s.events = append(s.events, &orderspb.OrderEvent{OrderId: id, Status: st, At: ptypes.TimestampNow(), Payload: a})
	return nil
}

// WatchOrders replays the events of one customer's orders recorded after
// req.Since.
func (s *Orders) WatchOrders(req *orderspb.WatchOrdersRequest, stream orderspb.OrderService_WatchOrdersServer) error {
	since, err := ptypes.Timestamp(req.GetSince())
	if req.GetSince() != nil && err != nil {
		return grpc.Errorf(codes.InvalidArgument, "since: %v", err)
	}
	s.mu.Lock()
	var out []*orderspb.OrderEvent
	for _, ev := range s.events {
		o := s.orders[ev.OrderId]
		at, _ := ptypes.Timestamp(ev.At)
		if o.GetCustomerId() == req.GetCustomerId() && (req.GetSince() == nil || at.After(since)) {
			out = append(out, proto.Clone(ev).(*orderspb.OrderEvent))
		}
	}
	s.mu.Unlock()
	for _, ev := range out {
		if err := stream.Send(ev); err != nil {
			return err
		}
	}
	return nil
}

// UploadLineItems appends streamed items to an order and totals them.
func (s *Orders) UploadLineItems(stream orderspb.OrderService_UploadLineItemsServer) error {
	var orderID string
	var accepted int32
	total := &orderspb.Money{}
	for {
		up, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&orderspb.UploadLineItemsResponse{OrderId: orderID, Accepted: accepted, Total: total})
		}
		if err != nil {
			return err
		}
		s.mu.Lock()
		o, ok := s.orders[up.GetOrderId()]
		if ok {
			o.Items = append(o.Items, up.GetItem())
		}
		s.mu.Unlock()
		if !ok {
			return grpc.Errorf(codes.NotFound, "order %q not found", up.GetOrderId())
		}
		orderID = up.GetOrderId()
		accepted++
		p := up.GetItem().GetUnitPrice()
		total.CurrencyCode = p.GetCurrencyCode()
		total.Units += p.GetUnits() * int64(up.GetItem().GetQuantity())
	}
}

// SyncOrders acknowledges every event the peer sends, in order.
func (s *Orders) SyncOrders(stream orderspb.OrderService_SyncOrdersServer) error {
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		ev := msg.GetEvent()
		if ev == nil {
			continue
		}
		if err := stream.Send(&orderspb.SyncMessage{Kind: &orderspb.SyncMessage_AckId{AckId: ev.GetOrderId()}}); err != nil {
			return err
		}
	}
}

// Customers lists the customers with orders, sorted.
func (s *Orders) Customers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, o := range s.orders {
		if !seen[o.CustomerId] {
			seen[o.CustomerId] = true
			out = append(out, o.CustomerId)
		}
	}
	sort.Strings(out)
	return out
}
