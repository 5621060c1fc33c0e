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

  Scenario: The guardian's approval covers that link only
    When the guardian approves the link "https://video.example.com/trending/123"
    And the child tries to open the link "https://video.example.com/trending/456"
    Then the watch refuses
