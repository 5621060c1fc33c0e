@CSW-CON-4
Feature: Links and QR codes leading outside the pool need the guardian
  A link that leads outside the children's pool opens only once the guardian
  has approved it. Scanning a QR code is no way around that: the code's link
  is checked like any other.

  Background:
    Given a watch bound to its guardian

  Scenario: A link outside the pool opens only after the guardian approves it
    When the child tries to open the link "https://video.example.com/trending/123"
    Then the watch refuses
    When the guardian approves the link "https://video.example.com/trending/123"
    And the child tries to open the link "https://video.example.com/trending/123"
    Then the watch allows it

  Scenario: A QR code leading outside the pool needs the guardian too
    When the child scans a QR code leading to "https://games.example.net/lucky-draw"
    Then the watch refuses
    When the guardian approves the link "https://games.example.net/lucky-draw"
    And the child scans a QR code leading to "https://games.example.net/lucky-draw"
    Then the watch allows it

  Scenario Outline: An address that only looks like the pool's needs the guardian
    When the child tries to open the pool's address written as "<form>"
    Then the watch refuses

    Examples: another scheme, another port (either side of the default one too), a look-alike host
      | form                                  |
      | http://{host}/stories/1               |
      | ftp://{host}/stories/1                |
      | https://{host}:8443/stories/1         |
      | https://{host}:442/stories/1          |
      | https://{host}:444/stories/1          |
      | https://{host}:80/stories/1           |
      | https://{host}.evil.example/stories/1 |
      | https://{host}@evil.example/stories/1 |
      | https://evil.example/{host}/stories/1 |
      | https://evil-{host}/stories/1         |
      | qr:http://{host}/stories/1            |

  Scenario Outline: One approved link approves no other
    When the guardian approves the link "https://video.example.com/trending/123"
    And the child tries to open the link "<other>"
    Then the watch refuses

    Examples:
      | other                                              |
      | https://video.example.com/trending/456             |
      | http://video.example.com/trending/123              |
      | https://video.example.com/                         |
      | https://video.example.com.evil.example/trending/123 |
