/// Traces as the runtimes print them (CPython 3.11/3.12, OpenJDK 17 with logback, Kotlin
/// coroutines 1.7, Node 18/20, Go 1.21/1.22, .NET 8 console and `Unhandled exception.`).
enum TraceFixtures {
    /// `logger.exception(…)` under Flask with the `%(asctime)s %(levelname)s [%(name)s] %(message)s` format.
    static let pythonLogged = """
        2026-12-02 18:04:11,532 ERROR [orders.api] Exception on /orders/42 [GET]
        Traceback (most recent call last):
          File "/usr/local/lib/python3.12/site-packages/flask/app.py", line 1473, in wsgi_app
            response = self.full_dispatch_request()
                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          File "/app/orders/views.py", line 88, in get_order
            return jsonify(order_view(cache[order_id]))
                                      ~~~~~^^^^^^^^^^
        KeyError: 'user_id'
        """

    /// An uncaught chained exception: the traceback itself is the head.
    static let pythonChained = """
        Traceback (most recent call last):
          File "/app/worker/db.py", line 41, in connect
            return psycopg2.connect(dsn, connect_timeout=3)
          File "/usr/local/lib/python3.11/site-packages/psycopg2/__init__.py", line 122, in connect
            conn = _connect(dsn, connection_factory=connection_factory, **kwasync)
        psycopg2.OperationalError: connection to server at "orders-db.internal" (10.0.3.17), port 5432 failed: Connection refused

        The above exception was the direct cause of the following exception:

        Traceback (most recent call last):
          File "/app/worker/main.py", line 17, in <module>
            run()
          File "/app/worker/main.py", line 12, in run
            db = connect(settings.DSN)
          File "/app/worker/db.py", line 43, in connect
            raise DatabaseUnavailable("orders database unreachable") from exc
        worker.errors.DatabaseUnavailable: orders database unreachable
        """

    /// Python logging's default `basicConfig()` format; "During handling" chain.
    static let pythonDuringHandling = """
        ERROR:payments.client:charge failed for order 7781
        Traceback (most recent call last):
          File "/app/payments/client.py", line 55, in charge
            body = response.json()
          File "/usr/local/lib/python3.12/site-packages/requests/models.py", line 978, in json
            raise RequestsJSONDecodeError(e.msg, e.doc, e.pos)
        requests.exceptions.JSONDecodeError: Expecting value: line 1 column 1 (char 0)

        During handling of the above exception, another exception occurred:

        Traceback (most recent call last):
          File "/app/payments/client.py", line 58, in charge
            raise PaymentGatewayError(f"bad gateway response {response.status_code}")
        payments.errors.PaymentGatewayError: bad gateway response 502
        """

    /// logback `%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n%ex`.
    static let javaLogged = """
        2026-12-02 18:04:12,118 ERROR [http-nio-8080-exec-7] o.a.c.c.C.[.[.[/].[dispatcherServlet] - Servlet.service() for servlet [dispatcherServlet] threw exception
        org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection; nested exception is org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection
        \tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)
        \tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible(HibernateJpaDialect.java:233)
        \tat com.example.orders.OrderService.find(OrderService.java:64)
        Caused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection
        \tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:98)
        \tat org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:56)
        \t... 12 more
        Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.
        \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
        \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)
        \t... 45 common frames omitted
        """

    static let javaUncaught = """
        Exception in thread "main" java.lang.IllegalStateException: Failed to load ApplicationContext
        \tat org.springframework.test.context.cache.DefaultCacheAwareContextLoaderDelegate.loadContext(DefaultCacheAwareContextLoaderDelegate.java:132)
        \tat com.example.Main.main(Main.java:21)
        Caused by: java.net.ConnectException: Connection refused
        \tat java.base/sun.nio.ch.Net.pollConnect(Native Method)
        \tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:542)
        \t... 8 more
        """

    static let kotlinCoroutine = """
        Exception in thread "DefaultDispatcher-worker-2" java.lang.IllegalArgumentException: Order id must be positive, was -3
        \tat com.example.orders.OrderRepository.load(OrderRepository.kt:27)
        \tat com.example.orders.OrderService$process$2.invokeSuspend(OrderService.kt:42)
        \tat kotlin.coroutines.jvm.internal.BaseContinuationImpl.resumeWith(ContinuationImpl.kt:33)
        \tat kotlinx.coroutines.DispatchedTask.run(DispatchedTask.kt:108)
        \tat kotlinx.coroutines.scheduling.CoroutineScheduler$Worker.run(CoroutineScheduler.kt:695)
        \tSuppressed: kotlinx.coroutines.internal.DiagnosticCoroutineContextException: [CoroutineId(1), "coroutine#1":StandaloneCoroutine{Cancelling}@5a2e4553, Dispatchers.Default]
        """

    /// `console.error(err)` of an error with a cause (Node 18).
    static let nodeCause = """
        Error: failed to load order 42
            at loadOrder (/app/src/orders.js:31:11)
            at async /app/src/routes.js:12:19 {
          [cause]: Error: connect ECONNREFUSED 10.0.3.17:5432
              at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {
            errno: -111,
            code: 'ECONNREFUSED',
            syscall: 'connect',
            address: '10.0.3.17',
            port: 5432
          }
        }
        """

    /// An uncaught TypeError: the source banner, then the error, then the version line.
    static let nodeUncaught = """
        /app/src/handlers/user.js:18
            return req.user.id;
                            ^

        TypeError: Cannot read properties of undefined (reading 'id')
            at getUserId (/app/src/handlers/user.js:18:21)
            at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)
            at next (/app/node_modules/express/lib/router/route.js:144:13)

        Node.js v20.10.0
        """

    static let nodeRejection = """
        node:internal/process/promises:289
                    triggerUncaughtException(err, true /* fromPromise */);
                    ^

        [UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "quota exceeded".] {
          code: 'ERR_UNHANDLED_REJECTION'
        }

        Node.js v18.19.0
        """

    static let goPanic = """
        panic: runtime error: invalid memory address or nil pointer dereference
        [signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6a4b2c]

        goroutine 42 [running]:
        github.com/example/orders/internal/store.(*Store).Get(0x0, {0x8a3f40, 0xc00009e2a0}, {0xc0001c6010, 0x2})
        \t/src/internal/store/store.go:57 +0x2c
        github.com/example/orders/internal/api.(*Handler).order(0xc000124000, {0x8a7c20, 0xc0001d4000}, 0xc0001b6200)
        \t/src/internal/api/handler.go:88 +0x9d
        net/http.HandlerFunc.ServeHTTP(0xc0001a2040, {0x8a7c20, 0xc0001d4000}, 0xc0001b6200)
        \t/usr/local/go/src/net/http/server.go:2136 +0x29
        created by net/http.(*Server).Serve in goroutine 1
        \t/usr/local/go/src/net/http/server.go:3086 +0x4db

        goroutine 1 [IO wait]:
        internal/poll.runtime_pollWait(0x7f2a1c0e8e80, 0x72)
        \t/usr/local/go/src/runtime/netpoll.go:343 +0x85
        main.main()
        \t/src/cmd/orders/main.go:31 +0x1a5
        exit status 2
        """

    static let goFatal = """
        fatal error: concurrent map writes

        goroutine 18 [running]:
        main.(*Cache).Put(...)
        \t/src/cache.go:22
        main.worker(0xc000010030)
        \t/src/main.go:40 +0x65
        created by main.main in goroutine 1
        \t/src/main.go:51 +0x4f
        """

    static let dotnetUnhandled = """
        Unhandled exception. System.InvalidOperationException: Order 42 could not be loaded
         ---> System.Collections.Generic.KeyNotFoundException: The given key '42' was not present in the dictionary.
           at System.Collections.Generic.Dictionary`2.get_Item(TKey key)
           at Orders.Api.OrderStore.Get(Int32 id) in /src/Orders.Api/OrderStore.cs:line 31
           --- End of inner exception stack trace ---
           at Orders.Api.OrderStore.Get(Int32 id) in /src/Orders.Api/OrderStore.cs:line 35
           at Program.<Main>$(String[] args) in /src/Orders.Api/Program.cs:line 12
        """

    /// ASP.NET Core's console logger (`fail:` header, six-space body).
    static let dotnetConsole = """
        fail: Microsoft.AspNetCore.Server.Kestrel[13]
              Connection id "0HN8S3GQ4J1K2", Request id "0HN8S3GQ4J1K2:00000002": An unhandled exception was thrown by the application.
              System.TimeoutException: The operation has timed out.
                 at Orders.Api.PaymentClient.ChargeAsync(Order order) in /src/Orders.Api/PaymentClient.cs:line 48
                 at Orders.Api.OrdersController.Post(OrderRequest request) in /src/Orders.Api/OrdersController.cs:line 27
                 --- End of stack trace from previous location ---
                 at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfActionResultExecutor.Execute(ActionContext context)
        """

    /// The lines of a fixture.
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
